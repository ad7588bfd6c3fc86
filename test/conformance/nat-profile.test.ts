/**
 * The nat profile: the project's plugin against a fresh HNS simulator. It runs only once `dist/nat`
 * can ADD through `dist/hns-sim`; until then it is skipped with the reason the probe found.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSuite, ROOT, runSuite, statusOf, type SuiteRun } from './suite-process';

const NAT = path.join(ROOT, 'dist/nat');
const SIM = path.join(ROOT, 'dist/hns-sim');

/** Why the nat profile cannot run yet, or undefined when a real ADD works. */
function probe(): string | undefined {
  if (!fs.existsSync(SIM)) return 'dist/hns-sim is not built';
  if (!fs.existsSync(NAT)) return 'dist/nat is not built';
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-nat-probe-'));
  try {
    const ns = spawnSync(SIM, ['--state', state, 'namespace', 'create'], { encoding: 'utf8', timeout: 20_000 });
    if (ns.status !== 0) return `hns-sim namespace create failed: ${ns.stderr.trim()}`;
    const config = { cniVersion: '1.0.0', name: 'nat', type: 'nat', ipam: { subnet: '172.20.0.0/24', routes: [{ gateway: '172.20.0.1' }] } };
    const env = { PATH: process.env.PATH ?? '', NAT_CNI_HNS: `sim:${state}`, CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'probe', CNI_NETNS: ns.stdout.trim(), CNI_IFNAME: 'eth0', CNI_PATH: path.dirname(NAT) };
    const add = spawnSync(NAT, [], { env, input: JSON.stringify(config), encoding: 'utf8', timeout: 20_000 });
    if (add.status !== 0) return `dist/nat cannot ADD yet: ${(add.stdout || add.stderr).trim().slice(0, 200)}`;
    return undefined;
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}

const notReady = probe();

describe('conformance suite, nat profile', () => {
  describe.skipIf(notReady !== undefined)(`against dist/nat and the simulator${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
    let run: SuiteRun;
    beforeAll(async () => {
      buildSuite();
      run = await runSuite(['--plugin', NAT, '--profile', 'nat', '--hns-sim', SIM, '--mode', 'compat']);
    }, 180_000);

    it('ADD creates one attached endpoint, DEL removes it, nothing leaks', () => {
      for (const id of ['C-34', 'C-53', 'C-54', 'C-58', 'C-59', 'C-76']) expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('PASS');
    });

    it('passes in compat mode', () => {
      const failed = run.report?.cases.filter((c) => c.status === 'FAIL') ?? [];
      expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    });
  });
});
