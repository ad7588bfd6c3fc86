/**
 * The nat profile: the project's plugin (dist/nat) against a fresh HNS simulator, in both modes.
 * Compat mode must pass whole. Strict mode differs in exactly the places the README lists, each a
 * deliberate choice for runtimes that exist: nothing else may fail.
 */
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSuite, ROOT, runSuite, statusOf, type SuiteRun } from './suite-process';

const NAT = path.join(ROOT, 'dist/nat');
const SIM = path.join(ROOT, 'dist/hns-sim');

/** Strict-mode cases our plugin fails on purpose (README, "Where we part from the spec"). */
const STRICT_DEVIATIONS = ['C-45'];

/**
 * The only cases that may skip, each because it does not apply to a NAT plugin on this profile; any
 * other skip fails the run, so that a skip can never read as a pass.
 */
const NOT_APPLICABLE: Record<string, RegExp> = {
  // The nat plugin refuses no field with code 2: unknown keys are ignored, bad values are code 7.
  'C-27': /the profile declares no unsupported \(key, value\) pairs/,
  // A NAT endpoint has no mtu, socketPath or pciID, and HNS routes no mtu, advmss, table or scope.
  'X-03': /carries none of the fields X-03 is about/,
  'X-04': /carries none of the fields X-04 is about/,
};
/** Compat mode also skips the strict-only case (1.1.0 fields in older results). */
const COMPAT_ONLY_SKIPS: Record<string, RegExp> = { 'X-05': /applies in strict mode only/ };

/** The delegated-IPAM mode: Debian's host-local and our recording IPAM plugin. */
const IPAM_PATH = ['/usr/lib/cni', path.join(ROOT, 'build/test-plugins')].join(path.delimiter);

// Two cores are shared with other test files: fewer parallel plugin processes keep calls in time.
const LOAD = ['--parallel', '8', '--jobs', '2'];

describe.each(['compat', 'strict'] as const)('conformance suite, nat profile, %s mode, against dist/nat', (mode) => {
  let run: SuiteRun;
  beforeAll(async () => {
    buildSuite();
    execFileSync('make', ['-s', 'dist/nat', 'dist/hns-sim', 'build/test-plugins/recording-ipam'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    run = await runSuite([
      '--plugin',
      NAT,
      '--profile',
      'nat',
      '--hns-sim',
      SIM,
      '--mode',
      mode,
      '--ipam-path',
      IPAM_PATH,
      ...LOAD,
    ]);
  }, 600_000);

  it('ADD creates one attached endpoint, DEL removes it, nothing leaks', () => {
    for (const id of ['C-34', 'C-53', 'C-54', 'C-58', 'C-59', 'C-76', 'C-77'])
      expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('PASS');
  });

  it('skips only what does not apply to a NAT plugin, and says so in the summary line', () => {
    const allowed = { ...NOT_APPLICABLE, ...(mode === 'compat' ? COMPAT_ONLY_SKIPS : {}) };
    const skipped = run.report?.cases.filter((c) => c.status === 'SKIP') ?? [];
    expect(skipped.map((c) => c.id).sort(), run.stdout).toEqual(Object.keys(allowed).sort());
    for (const c of skipped) expect(c.reason, c.id).toMatch(allowed[c.id] as RegExp);
    const s = run.report?.summary;
    expect(run.stdout.trimEnd().split('\n').pop()).toBe(
      `${s?.passed} passed, ${s?.failed} failed, ${s?.skipped} skipped`,
    );
  });

  it('runs the delegated-IPAM cases and the ones provoked by simulator faults', () => {
    for (const id of ['C-48', 'C-49', 'C-50', 'C-51', 'C-69', 'X-13', 'X-22', 'C-62', 'C-67', 'C-78', 'X-11', 'X-21']) {
      expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('PASS');
    }
  });

  it(
    mode === 'compat'
      ? 'passes every case that applies'
      : `fails only the documented deviations (${STRICT_DEVIATIONS.join(', ')})`,
    () => {
      const failed = run.report?.cases.filter((c) => c.status === 'FAIL').map((c) => c.id) ?? ['(no report)'];
      expect(failed, run.stdout).toEqual(mode === 'compat' ? [] : STRICT_DEVIATIONS);
    },
  );
});
