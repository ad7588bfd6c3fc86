import type { T } from '../context';
import type { Mode } from '../judge';

export interface Case {
  /** The checklist id (COVERAGE.md), e.g. "C-09", "X-18", or "S5-21" for edge case 21. */
  id: string;
  title: string;
  /** Modes the case applies to (default: both); how it judges in each is in `judging`. */
  modes?: readonly Mode[];
  /** How strict and compat differ for this case, when they do. */
  judging?: { strict: string; compat: string };
  /** Judges the whole plugin state, so no other case may run at the same time. */
  exclusive?: boolean;
  /** Runs after all others and judges every invocation made so far. */
  aggregate?: boolean;
  run(t: T): Promise<void>;
}
