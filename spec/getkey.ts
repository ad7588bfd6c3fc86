/**
 * Go's case-insensitive key lookup, without zod: the VERSION path (spec/version.ts, spec/skel.ts)
 * needs only this, and importing spec/keys.ts would initialise zod for it (see `make bench`).
 */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Look a key up the way Go's decoder fills a field: the last key in the document that folds equal. */
export function getKey(obj: unknown, key: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  const folded = key.toLowerCase();
  let found: unknown;
  for (const k of Object.keys(obj)) if (k.toLowerCase() === folded) found = obj[k];
  return found;
}
