/**
 * CNI errors. Every failure a plugin reports is a CniError: it carries the CNI code the runtime
 * acts on (SPEC.md §5 "Error"), a message and optional details. Codes 0–99 are reserved by the
 * spec; plugins use 100 and up for their own.
 */

export const CniCode = {
  IncompatibleCniVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironmentVariables: 4,
  IoFailure: 5,
  DecodingFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
  /** What Go's skel prints for any untyped error; we use it for unexpected exceptions too. */
  Internal: 999,
} as const;

export type CniCodeName = keyof typeof CniCode;

export class CniError extends Error {
  override readonly name = 'CniError';

  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
    options?: { cause?: unknown },
  ) {
    super(msg, options);
  }

  get msg(): string {
    return this.message;
  }
}

export const isCniError = (e: unknown): e is CniError => e instanceof CniError;

/** Results and errors as Go prints them: 4-space indent, no trailing newline. */
export const printJson = (v: unknown): string => JSON.stringify(v, null, 4);

/** The wire form of an error (SPEC.md §5): `cniVersion` is added by the dispatcher. */
export function errorObject(err: CniError, cniVersion: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion, code: err.code, msg: err.msg };
  if (err.details !== undefined && err.details !== '') out.details = err.details;
  return out;
}
