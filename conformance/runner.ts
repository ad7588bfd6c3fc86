/** Runs the selected cases one after another (aggregate ones last) and collects their outcomes. */
import type { Case } from './cases/types';
import { CaseFailure, CaseSkip, Suite, T } from './context';

export type Status = 'PASS' | 'FAIL' | 'SKIP';

export interface Outcome {
  id: string;
  title: string;
  status: Status;
  /** FAIL: the step that failed, what was expected and what came back. */
  step?: string;
  expected?: string;
  got?: string;
  /** SKIP: why. */
  reason?: string;
  durationMs: number;
}

/** `--only C-09,X-` selects C-09 and every X- case: ids or id prefixes. */
export function selectCases(cases: readonly Case[], only: readonly string[] | undefined): Case[] {
  if (!only || only.length === 0) return [...cases];
  return cases.filter((c) => only.some((o) => c.id.startsWith(o)));
}

export async function runCase(suite: Suite, c: Case): Promise<Outcome> {
  const started = Date.now();
  const base = { id: c.id, title: c.title };
  if (c.modes && !c.modes.includes(suite.opts.mode)) {
    return { ...base, status: 'SKIP', reason: `applies in ${c.modes.join('/')} mode only`, durationMs: 0 };
  }
  try {
    await c.run(new T(suite, c.id));
    return { ...base, status: 'PASS', durationMs: Date.now() - started };
  } catch (e) {
    const durationMs = Date.now() - started;
    if (e instanceof CaseSkip) return { ...base, status: 'SKIP', reason: e.message, durationMs };
    if (e instanceof CaseFailure)
      return { ...base, status: 'FAIL', step: e.step, expected: e.expected, got: e.got, durationMs };
    // A fault of the suite or of the profile's tooling, not a verdict on the plugin: still a failure.
    return {
      ...base,
      status: 'FAIL',
      step: 'suite',
      expected: 'the case to run',
      got: e instanceof Error ? (e.stack ?? e.message) : String(e),
      durationMs,
    };
  }
}

/**
 * Ordinary cases run `jobs` at a time (each works on its own networks and containers); cases that
 * judge the whole state run alone afterwards; aggregate cases last, after the clean-up DELs (which
 * are invocations they should judge too). Outcomes are reported in the cases' order.
 */
export async function runCases(
  suite: Suite,
  cases: readonly Case[],
  jobs: number,
  onOutcome: (o: Outcome) => void,
): Promise<Outcome[]> {
  const shared = cases.filter((c) => !c.aggregate && !c.exclusive);
  const alone = cases.filter((c) => !c.aggregate && c.exclusive);
  const aggregate = cases.filter((c) => c.aggregate);
  const ordered = [...shared, ...alone, ...aggregate];
  const outcomes = new Array<Outcome | undefined>(ordered.length);
  let printed = 0;
  const settle = (i: number, o: Outcome): void => {
    outcomes[i] = o;
    while (printed < ordered.length && outcomes[printed]) onOutcome(outcomes[printed++] as Outcome);
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shared.length) {
      const i = next++;
      settle(i, await runCase(suite, shared[i] as Case));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  for (const [k, c] of alone.entries()) settle(shared.length + k, await runCase(suite, c));
  await suite.cleanup();
  for (const [k, c] of aggregate.entries()) settle(shared.length + alone.length + k, await runCase(suite, c));
  return outcomes as Outcome[];
}
