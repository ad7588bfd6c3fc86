/**
 * CNI_ARGS (SPEC.md §2, CONVENTIONS.md): `K=V;K=V`. The dispatcher parses it leniently and never
 * fails on it, as Go's skel never reads it; a plugin that wants Go's strict `types.LoadArgs`
 * behaviour (unknown keys refused unless `IgnoreUnknown`) asks for it with `loadCniArgs`.
 */
import { CniCode, CniError } from './errors';
import { goQuote, goQuoteList } from './gofmt';

export interface CniArgs {
  /** The variable as received. */
  readonly raw: string;
  /** Well-formed pairs in order (a key may repeat; the last one wins in `get`). */
  readonly pairs: ReadonlyArray<readonly [key: string, value: string]>;
  /** Segments that are not exactly one `K=V` (`A=b=c`, `FOO`, the empty segment after a trailing `;`). */
  readonly invalid: readonly string[];
  /** The value of `key` (case-sensitive, as Go matches struct field names). */
  get(key: string): string | undefined;
}

export function parseCniArgs(raw: string): CniArgs {
  const pairs: Array<readonly [string, string]> = [];
  const invalid: string[] = [];
  if (raw !== '') {
    for (const segment of raw.split(';')) {
      const kv = segment.split('=');
      if (kv.length === 2) pairs.push([kv[0] as string, kv[1] as string]);
      else invalid.push(segment);
    }
  }
  const values = new Map(pairs);
  return { raw, pairs, invalid, get: (key) => values.get(key) };
}

/** Go's UnmarshallableBool: `1`, `0`, `true`, `false` in any case. */
function parseGoBool(pair: string, value: string): boolean {
  const s = value.toLowerCase();
  if (s === '1' || s === 'true') return true;
  if (s === '0' || s === 'false') return false;
  throw argsError(`error parsing value of pair ${goQuote(pair)}: boolean unmarshal error: invalid input ${s}`);
}

// Go plugins answer these with code 999; 4 is the spec's code for an invalid environment variable,
// and the message names the variable, as the spec asks of code 4.
const argsError = (what: string) => new CniError(CniCode.InvalidEnvironmentVariables, `CNI_ARGS: ${what}`);

/**
 * Go's `types.LoadArgs` over the `keys` a plugin understands: pairs are checked in order (the first
 * malformed pair or bad `IgnoreUnknown` value fails), then unknown keys fail unless `IgnoreUnknown`
 * is true. Returns the known keys' values (last occurrence wins). Errors are code 4.
 */
export function loadCniArgs<K extends string>(args: CniArgs, keys: readonly K[]): { readonly [P in K]?: string } {
  const known = new Set<string>(keys);
  const out: Partial<Record<K, string>> = {};
  const unknown: string[] = [];
  let ignoreUnknown = false;
  for (const segment of args.raw === '' ? [] : args.raw.split(';')) {
    const kv = segment.split('=');
    if (kv.length !== 2) throw argsError(`invalid pair ${goQuote(segment)}`);
    const [key, value] = kv as [string, string];
    if (key === 'IgnoreUnknown') ignoreUnknown = parseGoBool(segment, value);
    else if (known.has(key)) out[key as K] = value;
    else unknown.push(segment);
  }
  if (unknown.length > 0 && !ignoreUnknown) throw argsError(`unknown args ${goQuoteList(unknown)}`);
  return out;
}
