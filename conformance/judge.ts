/**
 * The verdicts of the checklist (COVERAGE.md): E(c), OK and QUIET. Each judge returns the
 * problems it found, so that a case can say exactly what was expected and what came back.
 */
import type { Invocation } from './invoke';

export type Mode = 'strict' | 'compat';

/** Acceptable error codes: listed codes, '>=100' for any plugin-specific code, or 'any'. */
export type CodeSet = readonly (number | '>=100')[] | 'any';

/** One set for both modes, or a different set per mode. */
export type CodeRule = CodeSet | { strict: CodeSet; compat: CodeSet };

export type Parsed = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; reason: string };

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** stdout must be empty or exactly one JSON document (whitespace around it allowed, no BOM: C-04). */
export function parseStdout(inv: Pick<Invocation, 'stdout' | 'stdoutBytes'>): Parsed {
  if (inv.stdout.trim() === '') return { kind: 'empty' };
  if (inv.stdoutBytes.subarray(0, 3).equals(UTF8_BOM))
    return { kind: 'invalid', reason: 'stdout starts with a UTF-8 BOM' };
  try {
    return { kind: 'json', value: JSON.parse(inv.stdout) };
  } catch (e) {
    return { kind: 'invalid', reason: `stdout is not one JSON document (${(e as Error).message})` };
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function codeAllowed(code: number, set: CodeSet): boolean {
  if (set === 'any') return true;
  return set.some((c) => (c === '>=100' ? code >= 100 : c === code));
}

export function codesFor(rule: CodeRule, mode: Mode): CodeSet {
  if (rule === 'any' || Array.isArray(rule)) return rule as CodeSet;
  const perMode = rule as { strict: CodeSet; compat: CodeSet };
  return perMode[mode];
}

export function describeCodes(set: CodeSet): string {
  return set === 'any' ? 'any code' : `code ${set.join(' or ')}`;
}

function exitProblem(inv: Invocation): string | undefined {
  if (inv.timedOut) return 'the plugin did not finish in time and was killed';
  if (inv.signal) return `the plugin was killed by ${inv.signal}`;
  return undefined;
}

export interface ErrorJudgement {
  problems: string[];
  error?: Record<string, unknown>;
}

/**
 * E(c): non-zero exit, stdout one JSON object with an integer `code` in the accepted set, a non-empty
 * `msg`, `details` absent or a string. Strict mode also wants `cniVersion`, equal to the request's
 * version when the plugin could honour that version.
 */
export function judgeError(inv: Invocation, rule: CodeRule, mode: Mode, requestVersion?: string): ErrorJudgement {
  const problems: string[] = [];
  const killed = exitProblem(inv);
  if (killed) return { problems: [killed] };
  if (inv.exitCode === 0) problems.push('exit status 0 (an error needs a non-zero exit status)');
  const parsed = parseStdout(inv);
  if (parsed.kind === 'empty')
    return { problems: [...problems, 'stdout is empty (the error object belongs on stdout)'] };
  if (parsed.kind === 'invalid') return { problems: [...problems, parsed.reason] };
  if (!isObject(parsed.value)) return { problems: [...problems, 'stdout is JSON but not an object'] };
  const err = parsed.value;
  const set = codesFor(rule, mode);
  if (typeof err.code !== 'number' || !Number.isInteger(err.code)) {
    problems.push(`"code" is ${JSON.stringify(err.code)}, not an integer JSON number`);
  } else if (!codeAllowed(err.code, set)) {
    problems.push(`code ${err.code}, expected ${describeCodes(set)}`);
  }
  if (typeof err.msg !== 'string' || err.msg === '') problems.push('"msg" is missing or not a non-empty string');
  if (err.details !== undefined && typeof err.details !== 'string') problems.push('"details" is not a string');
  if (mode === 'strict') {
    if (typeof err.cniVersion !== 'string' || err.cniVersion === '') {
      problems.push('strict: the error object has no "cniVersion" (SPEC §5 Error)');
    } else if (requestVersion !== undefined && err.cniVersion !== requestVersion) {
      problems.push(`strict: error "cniVersion" is "${err.cniVersion}", the request used "${requestVersion}"`);
    }
  }
  return { problems, error: err };
}

/** OK: exit 0 and stdout exactly one JSON object. */
export function judgeOk(inv: Invocation): { problems: string[]; value?: Record<string, unknown> } {
  const killed = exitProblem(inv);
  if (killed) return { problems: [killed] };
  const problems: string[] = [];
  if (inv.exitCode !== 0) problems.push(`exit status ${inv.exitCode}, expected 0`);
  const parsed = parseStdout(inv);
  if (parsed.kind === 'empty') return { problems: [...problems, 'stdout is empty, expected a JSON object'] };
  if (parsed.kind === 'invalid') return { problems: [...problems, parsed.reason] };
  if (!isObject(parsed.value)) return { problems: [...problems, 'stdout is JSON but not an object'] };
  return { problems, value: parsed.value };
}

/** QUIET: exit 0 and nothing but whitespace on stdout. */
export function judgeQuiet(inv: Invocation): string[] {
  const killed = exitProblem(inv);
  if (killed) return [killed];
  const problems: string[] = [];
  if (inv.exitCode !== 0) problems.push(`exit status ${inv.exitCode}, expected 0`);
  if (inv.stdout.trim() !== '') problems.push('stdout is not empty');
  return problems;
}

const clip = (s: string, n: number): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
};

/** A one-line account of what came back, for failure reports. */
export function describeInvocation(inv: Invocation): string {
  const status = inv.timedOut ? 'timed out' : inv.signal ? `signal ${inv.signal}` : `exit ${inv.exitCode}`;
  const parts = [`${inv.command}: ${status}`, `stdout=${JSON.stringify(clip(inv.stdout, 240))}`];
  if (inv.stderr.trim() !== '') parts.push(`stderr=${JSON.stringify(clip(inv.stderr, 160))}`);
  return parts.join(', ');
}
