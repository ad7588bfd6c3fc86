/**
 * The request log: one JSON line per HCN call, for tests that assert on call sequences and for people
 * debugging. Each line names the export, its IN arguments (a JSON document argument is also given
 * parsed, under `document`), the HRESULT with its name, and the OUT parameters (a result document and
 * the ErrorRecord parsed as well). Lines are appended with one write each, so that several processes
 * (separate plugin processes on the in-process backend) may share one file.
 */
import fs from 'node:fs';
import { formatHresult, hresultName } from '../errors';

export type ArgKind = 'guid' | 'string' | `handle:${string}`;
export type OutKind = 'handle' | 'result' | 'record' | 'none' | 'response';

export type LoggedValue = { kind: string; value: string | null; document?: unknown };

export type RequestLogLine = {
  time: string;
  fn: string;
  args: LoggedValue[];
  hresult: string;
  hresultName: string;
  outs: LoggedValue[];
  /** The wall time of the call, lock wait included. */
  ms: number;
};

/** What each OUT parameter of a shape is called, in order. */
const OUT_NAMES: Record<OutKind, readonly string[]> = {
  handle: ['handle', 'errorRecord'],
  result: ['result', 'errorRecord'],
  record: ['errorRecord'],
  response: ['response'],
  none: [],
};

const asDocument = (text: string | null): unknown => {
  if (text === null || !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const logged = (kind: string, value: string | null): LoggedValue => {
  const document =
    kind === 'string' || kind === 'result' || kind === 'errorRecord' || kind === 'response'
      ? asDocument(value)
      : undefined;
  return document === undefined ? { kind, value } : { kind, value, document };
};

export function requestLogLine(
  fn: string,
  argKinds: readonly ArgKind[] | undefined,
  args: readonly (string | null)[],
  out: OutKind,
  hresult: number,
  outs: readonly (string | null)[],
  ms: number,
): RequestLogLine {
  return {
    time: new Date().toISOString(),
    fn,
    args: args.map((v, i) => logged(argKinds?.[i] ?? 'string', v)),
    hresult: formatHresult(hresult),
    hresultName: hresultName(hresult),
    outs: outs.map((v, i) => logged(OUT_NAMES[out][i] ?? 'out', v)),
    ms: Math.round(ms * 10) / 10,
  };
}

/** Appends one line; a log that cannot be written never fails the call it describes. */
export function appendRequestLog(file: string, line: RequestLogLine): void {
  try {
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // the call's answer matters more than its record
  }
}
