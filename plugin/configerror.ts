/**
 * Configuration errors: every one is a CniError with code 7 (InvalidNetworkConfig) whose message starts
 * with the field path, e.g. `runtimeConfig.portMappings[1].hostPort: 70000 is outside 1-65535`, so a user
 * can find the faulty key without reading the plugin's source. Paths use the canonical (documented)
 * spelling of each key, whatever case the document used.
 */
import type { z } from '../spec/zod';
import { CniCode, CniError } from '../spec/errors';

export type FieldPath = ReadonlyArray<PropertyKey>;

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(config)' : out;
}

export function invalidConfig(path: FieldPath, problem: string): CniError {
  return new CniError(CniCode.InvalidNetworkConfig, `${formatPath(path)}: ${problem}`);
}

const describeIssue = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'invalid_type')
    return `expected ${issue.expected}, got ${issue.message.replace(/^.*received /, '')}`;
  return issue.message;
};

/** The first zod issue as a CniError (one clear message beats a list); the rest go into details. */
export function fromZodError(error: z.ZodError, prefix: FieldPath = []): CniError {
  const [first, ...rest] = error.issues;
  if (first === undefined) return invalidConfig(prefix, 'invalid configuration');
  const err = invalidConfig([...prefix, ...first.path], describeIssue(first));
  if (rest.length === 0) return err;
  const details = rest.map((i) => `${formatPath([...prefix, ...i.path])}: ${describeIssue(i)}`).join('; ');
  return new CniError(err.code, err.msg, details);
}
