/**
 * Case-insensitive JSON keys, as Go's encoding/json reads them: every spelling that folds equal fills
 * the same field, and the last one in the document wins. Runtimes depend on it: containerd's go-cni sends
 * `runtimeConfig.portMappings[].HostPort` and `dns.Servers`, HNS writes `ID` where hcsshim has `Id`.
 */
import * as z from './zod';
import { getKey, isPlainObject } from './getkey';

export { getKey };

/**
 * Rename the keys of `obj` to the canonical spelling in `canonical` when they match case-insensitively.
 * As in Go's decoder, keys are taken in document order and a later key for the same field overwrites an
 * earlier one, whatever its spelling. Unknown keys are kept as they are. Returns a new object: the
 * input is never mutated.
 */
export function canonicalizeKeys(obj: Record<string, unknown>, canonical: readonly string[]): Record<string, unknown> {
  const byFolded = new Map(canonical.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[byFolded.get(k.toLowerCase()) ?? k] = v;
  return out;
}

/**
 * A zod object schema whose keys match case-insensitively. Unknown keys are stripped (Go ignores
 * them); use `.passthrough()`-style behaviour by wrapping with `ciLooseObject` when they must be kept.
 */
export function ciObject<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.preprocess((v) => (isPlainObject(v) ? canonicalizeKeys(v, keys) : v), z.object(shape));
}

/** Like ciObject, but keys that are not in the shape are kept (pass-through documents). */
export function ciLooseObject<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.preprocess((v) => (isPlainObject(v) ? canonicalizeKeys(v, keys) : v), z.looseObject(shape));
}
