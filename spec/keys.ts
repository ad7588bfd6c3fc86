/**
 * Case-insensitive JSON keys, as Go's encoding/json reads them: an exact key wins, otherwise the
 * first key equal under case folding. Runtimes depend on it: containerd's go-cni sends
 * `runtimeConfig.portMappings[].HostPort` and `dns.Servers`, HNS writes `ID` where hcsshim has `Id`.
 */
import { z } from 'zod';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Look a key up the way Go does: exact match first, then case-insensitive. */
export function getKey(obj: unknown, key: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  if (Object.hasOwn(obj, key)) return obj[key];
  const folded = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === folded) return obj[k];
  return undefined;
}

/**
 * Rename the keys of `obj` to the canonical spelling in `canonical` when they match case-insensitively
 * (an exact spelling wins over a folded one). Unknown keys are kept as they are. Returns a new object:
 * the input is never mutated.
 */
export function canonicalizeKeys(obj: Record<string, unknown>, canonical: readonly string[]): Record<string, unknown> {
  const byFolded = new Map(canonical.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const target = byFolded.get(k.toLowerCase());
    if (target === undefined) {
      if (!Object.hasOwn(out, k)) out[k] = v;
    } else if (k === target || !Object.hasOwn(obj, target)) {
      // The exact spelling, or the first folded one when no exact spelling exists.
      if (k === target || !Object.hasOwn(out, target)) out[target] = v;
    }
  }
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
