/**
 * Version negotiation (SPEC.md §1 `cniVersion`, §2 VERSION, §5 code 1), following Go's
 * `pkg/version` wherever the spec is silent: an absent `cniVersion` means 0.1.0, support is an exact
 * string match (`1.0` is not `1.0.0`), and ordering comparisons parse `major.minor.micro` with Go's
 * errors (code 6) for malformed strings.
 */
import { CniCode, CniError } from './errors';
import { getKey } from './getkey';
import { goJsonKind, goQuote, goQuoteList } from './gofmt';
import { ALL_VERSIONS, CURRENT_VERSION, type CniVersion, isKnownVersion } from './versions';

/** The oldest configuration version that may ask for each command (Go skel ≥1.2, SPEC 1.1.0). */
export const MIN_VERSION_FOR: Readonly<Record<'CHECK' | 'GC' | 'STATUS', CniVersion>> = {
  CHECK: '0.4.0',
  GC: '1.1.0',
  STATUS: '1.1.0',
};

/** The version an absent or empty `cniVersion` stands for (Go's `DecodeVersion`). */
export const IMPLICIT_VERSION: CniVersion = '0.1.0';

/** The configuration's `cniVersion` as Go reads it: a string, `""`/absent/null meaning 0.1.0. */
export function decodeConfigVersion(config: Record<string, unknown>): string {
  const v = getKey(config, 'cniVersion');
  if (v === undefined || v === null || v === '') return IMPLICIT_VERSION;
  if (typeof v !== 'string') {
    throw new CniError(
      CniCode.DecodingFailure,
      `decoding version from network config: json: cannot unmarshal ${goJsonKind(v)} into Go struct field .cniVersion of type string`,
    );
  }
  return v;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Go's strconv.Atoi, with its error text. */
function atoi(part: string, which: string): number {
  const fail = (why: string) =>
    new CniError(
      CniCode.DecodingFailure,
      `failed to convert ${which} version part ${goQuote(part)}: strconv.Atoi: parsing ${goQuote(part)}: ${why}`,
    );
  if (!/^[+-]?[0-9]+$/.test(part)) throw fail('invalid syntax');
  const n = BigInt(part);
  if (n > INT64_MAX || n < INT64_MIN) throw fail('value out of range');
  return Number(n);
}

/** Go's `version.ParseVersion`: up to three numeric parts, `""` meaning 0.1.0. */
export function parseVersion(version: string): [number, number, number] {
  if (version === '') return [0, 1, 0];
  const parts = version.split('.');
  if (parts.length >= 4) {
    throw new CniError(CniCode.DecodingFailure, `invalid version ${goQuote(version)}: too many parts`);
  }
  const [major, minor, micro] = parts;
  return [
    atoi(major as string, 'major'),
    minor === undefined ? 0 : atoi(minor, 'minor'),
    micro === undefined ? 0 : atoi(micro, 'micro'),
  ];
}

export function versionAtLeast(version: string, other: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(other);
  for (let i = 0; i < 3; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) > (b[i] as number);
  }
  return true;
}

/** Exact-match support check; code 1 with Go's details otherwise. */
export function checkVersionSupported(configVersion: string, supported: readonly CniVersion[]): CniVersion {
  const hit = supported.find((v) => v === configVersion);
  if (hit !== undefined) return hit;
  throw new CniError(
    CniCode.IncompatibleCniVersion,
    'incompatible CNI versions',
    `config is ${goQuote(configVersion)}, plugin supports ${goQuoteList(supported)}`,
  );
}

/**
 * The version a command runs at, with Go's checks in Go's order. CHECK, GC and STATUS first need
 * the configuration to be new enough (`config version does not allow X`) and the plugin to support
 * some version at least as new (`plugin version does not allow X`); then every command needs an
 * exact match.
 */
export function negotiateVersion(command: string, configVersion: string, supported: readonly CniVersion[]): CniVersion {
  if (command === 'CHECK' || command === 'GC' || command === 'STATUS') {
    if (!versionAtLeast(configVersion, MIN_VERSION_FOR[command])) {
      throw new CniError(CniCode.IncompatibleCniVersion, `config version does not allow ${command}`);
    }
    if (!supported.some((v) => versionAtLeast(v, configVersion))) {
      throw new CniError(CniCode.IncompatibleCniVersion, `plugin version does not allow ${command}`);
    }
  }
  return checkVersionSupported(configVersion, supported);
}

/** The newest of the plugin's versions (what errors carry when the request's version is unknown). */
export function newestVersion(supported: readonly CniVersion[]): CniVersion {
  let best: CniVersion | undefined;
  for (const v of ALL_VERSIONS) if (supported.includes(v)) best = v;
  return best ?? CURRENT_VERSION;
}

/**
 * The VERSION answer (SPEC.md §5 "Version success"). The spec says `cniVersion` is the version
 * given on input; Go ignores stdin and prints its library's version. We echo the request's
 * `cniVersion` when it is a version this SDK knows, and otherwise (no stdin, garbage, an unknown
 * version) answer with the newest protocol version we implement, as Go would.
 */
export function versionAnswer(requested: string | undefined, supported: readonly CniVersion[]) {
  return {
    cniVersion: requested !== undefined && isKnownVersion(requested) ? requested : CURRENT_VERSION,
    supportedVersions: [...supported],
  };
}
