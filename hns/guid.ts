/**
 * GUID text helpers. HNS and hcsshim use the 36-character form without braces
 * (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), hex in either case; go-winio rejects anything else.
 * HNS prints some IDs lowercase and others uppercase, so every comparison folds case.
 */
import { randomUUID } from 'node:crypto';
import { ZERO_GUID } from './api';

export { ZERO_GUID };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isGuid = (s: unknown): s is string => typeof s === 'string' && GUID_RE.test(s);

/** The canonical (lowercase) form, or undefined when `s` is not a GUID in the strict 36-char form. */
export function parseGuid(s: string): string | undefined {
  return GUID_RE.test(s) ? s.toLowerCase() : undefined;
}

/** Like parseGuid, but throws a plain Error naming `what` (callers wrap it in their own error type). */
export function normalizeGuid(s: string, what = 'GUID'): string {
  const g = parseGuid(s);
  if (g === undefined) throw new Error(`invalid ${what}: ${JSON.stringify(s)}`);
  return g;
}

export const guidEquals = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const isZeroGuid = (s: string): boolean => s.toLowerCase() === ZERO_GUID;

/** A random version-4 GUID, lowercase, as go-winio's NewV4 would print it. */
export const randomGuid = (): string => randomUUID();
