/**
 * The generic profile against Debian's host-local, in compat mode: everything passes, and what is
 * skipped is exactly what conformance/HOST-LOCAL.md documents.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSuite, ROOT, runSuite, type SuiteRun } from './suite-process';

const HOST_LOCAL = '/usr/lib/cni/host-local';
const present = fs.existsSync(HOST_LOCAL);

/** The ids listed under "## Skipped in compat mode" in HOST-LOCAL.md. */
function documentedSkips(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'conformance/HOST-LOCAL.md'), 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('Skipped in compat mode')) ?? '';
  return [...section.matchAll(/^- `([A-Z0-9]+-\d+)`/gm)].map((m) => m[1] as string).sort();
}

describe.skipIf(!present)('conformance suite against host-local (generic profile)', () => {
  let compat: SuiteRun;
  beforeAll(async () => {
    buildSuite();
    const started = Date.now();
    compat = await runSuite(['--plugin', HOST_LOCAL, '--profile', 'generic', '--mode', 'compat']);
    // Well under a minute even on a loaded 2-core machine.
    expect(Date.now() - started).toBeLessThan(90_000);
  }, 120_000);

  it('passes in compat mode and exits 0', () => {
    const failed = compat.report?.cases.filter((c) => c.status === 'FAIL') ?? [];
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(compat.code).toBe(0);
    expect(compat.stdout.trimEnd().split('\n').pop()).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
  });

  it('skips exactly the cases HOST-LOCAL.md documents, each with a reason', () => {
    const skipped = (compat.report?.cases ?? []).filter((c) => c.status === 'SKIP');
    expect(skipped.map((c) => c.id).sort()).toEqual(documentedSkips());
    for (const c of skipped) expect(c.reason, c.id).toMatch(/\S/);
    for (const c of skipped) expect(compat.stdout).toContain(`skipped: ${c.reason}`);
  });

  it('really exercised host-local: lifecycle, every version, concurrency', () => {
    const passed = new Set(compat.report?.cases.filter((c) => c.status === 'PASS').map((c) => c.id));
    for (const id of ['C-32', 'C-35', 'C-47', 'C-53', 'C-54', 'C-56', 'C-59', 'C-64', 'C-67', 'C-76', 'C-77'])
      expect(passed.has(id), id).toBe(true);
    expect(compat.report?.summary.passed).toBeGreaterThan(70);
  });

  it('fails in strict mode where host-local follows Go, not the spec', async () => {
    const strict = await runSuite(['--plugin', HOST_LOCAL, '--mode', 'strict', '--only', 'C-03,C-13,C-30,C-66']);
    expect(strict.code).toBe(1);
    const byId = Object.fromEntries((strict.report?.cases ?? []).map((c) => [c.id, c]));
    expect(byId['C-03']?.got).toMatch(/no "cniVersion"/);
    expect(byId['C-13']?.status).toBe('FAIL');
    expect(byId['C-30']?.status).toBe('FAIL');
    expect(byId['C-66']?.status).toBe('FAIL');
    expect(strict.stdout.trimEnd().split('\n').pop()).toBe('0 passed, 4 failed, 0 skipped');
  }, 60_000);
});
