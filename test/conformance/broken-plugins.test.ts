/**
 * The suite can fail: fake plugins broken in one way each make exactly the cases about that flaw
 * FAIL, while the same plugin without the flaw passes them all (the control).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFakePlugin, type Defect } from './fake-plugin';
import { buildSuite, runSuite, statusOf } from './suite-process';

const CASES = ['C-03', 'C-04', 'C-24', 'C-32', 'C-34', 'C-37', 'C-54', 'C-55', 'S5-4', 'S5-24'];

/** The cases each defect must make fail. */
const EXPECTED_FAILURES: Record<Exclude<Defect, 'none'>, string[]> = {
  'malformed-result': ['C-34', 'C-37', 'C-32'],
  'accepts-any-version': ['C-24', 'C-32'],
  'stderr-error': ['C-03', 'S5-4'],
  'stack-trace': ['C-03', 'S5-4'],
  'error-exit-0': ['C-03', 'S5-24'],
  'trailing-text': ['C-04', 'C-34'],
  'del-not-idempotent': ['C-54', 'C-55'],
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-fakes-'));

async function runAgainst(defect: Defect): Promise<Awaited<ReturnType<typeof runSuite>>> {
  const dir = fs.mkdtempSync(path.join(tmp, `${defect}-`));
  const plugin = writeFakePlugin(dir, defect);
  return runSuite([
    '--plugin',
    plugin,
    '--mode',
    'compat',
    '--versions',
    '0.3.1,0.4.0,1.0.0',
    '--only',
    CASES.join(','),
  ]);
}

describe('conformance suite against broken plugins', () => {
  beforeAll(() => buildSuite(), 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('passes the control plugin on every case the defects break', async () => {
    const run = await runAgainst('none');
    expect(
      run.report?.cases.filter((c) => c.status !== 'PASS'),
      run.stdout,
    ).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').pop()).toBe(`${CASES.length} passed, 0 failed, 0 skipped`);
  }, 90_000);

  for (const [defect, failing] of Object.entries(EXPECTED_FAILURES)) {
    it(`fails ${failing.join(', ')} for a plugin with defect "${defect}"`, async () => {
      const run = await runAgainst(defect as Defect);
      expect(run.code).toBe(1);
      for (const id of failing) expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('FAIL');
      const failedLine = run.stdout.split('\n').find((l) => l.startsWith(`${failing[0]} `));
      expect(failedLine).toMatch(/FAIL/);
      expect(run.stdout).toMatch(/expected .+\n\s+got /);
      expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/^\d+ passed, [1-9]\d* failed, \d+ skipped$/);
    }, 90_000);
  }
});
