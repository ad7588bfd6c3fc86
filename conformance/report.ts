/** The text lines and the JSON report of a run. */
import type { Outcome } from './runner';

export function outcomeLine(o: Outcome): string {
  const head = `${o.id.padEnd(6)} ${o.status}  ${o.title}`;
  if (o.status === 'FAIL') return `${head}\n         at ${o.step}: expected ${o.expected}\n         got ${o.got}`;
  if (o.status === 'SKIP') return `${head}\n         skipped: ${o.reason}`;
  return head;
}

export function summaryLine(outcomes: readonly Outcome[]): string {
  const n = (s: Outcome['status']): number => outcomes.filter((o) => o.status === s).length;
  // Skips always shown: a skip must never read as a pass.
  return `${n('PASS')} passed, ${n('FAIL')} failed, ${n('SKIP')} skipped`;
}

export interface Report {
  plugin: string;
  profile: string;
  mode: string;
  versions: readonly string[];
  supportedVersions: readonly string[] | null;
  session: string;
  durationMs: number;
  summary: { passed: number; failed: number; skipped: number; line: string };
  cases: readonly Outcome[];
}

export function buildReport(meta: Omit<Report, 'summary' | 'cases'>, outcomes: readonly Outcome[]): Report {
  const n = (s: Outcome['status']): number => outcomes.filter((o) => o.status === s).length;
  return {
    ...meta,
    summary: { passed: n('PASS'), failed: n('FAIL'), skipped: n('SKIP'), line: summaryLine(outcomes) },
    cases: outcomes,
  };
}
