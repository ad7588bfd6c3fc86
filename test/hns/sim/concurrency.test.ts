import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HR, HnsError } from '../../../hns/errors';
import { updateSettings, readState } from '../../../hns/sim/admin';
import { isAlive, withLock } from '../../../hns/lockfile';
import { bundle } from './bundle';
import { createNetwork, enumerate, freshSim, tempStateDir } from './helpers';
import { createSimApi } from '../../../hns/sim/api';
import { validateState } from '../../../hns/sim/state';
import { writeQuery } from '../../../hns/schema';

let worker = '';
beforeAll(() => {
  worker = bundle('test/hns/sim/worker.ts', 'worker.js');
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [worker, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('several processes on one state folder', () => {
  it('lose no update and hand out distinct addresses', async () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    const N = 6;
    const PER = 8;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => run([dir, net.ID, String(PER), `p${i}`])));
    for (const r of results) expect(r.stderr).toBe('');
    const ips = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
    expect(ips).toHaveLength(N * PER);
    expect(new Set(ips).size).toBe(N * PER);
    expect(enumerate(api.endpoint)).toHaveLength(N * PER);
    const state = validateState(readState(dir));
    expect(state.calls.HcnCreateEndpoint).toBe(N * PER);
    expect(new Set(state.endpoints.map((e) => e.macAddress)).size).toBe(N * PER);
    expect(fs.readdirSync(dir).sort()).toEqual(['state.json']);
  });
});

describe('the lock', () => {
  it('takes over a lock whose owner is dead', () => {
    const dir = tempStateDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    expect(isAlive(Number(dead))).toBe(false);
    fs.writeFileSync(path.join(dir, 'state.lock'), `${dead}\n`);
    expect(withLock(dir, 2000, () => 42)).toBe(42);
    expect(fs.existsSync(path.join(dir, 'state.lock'))).toBe(false);
  });

  it('waits for a live owner and times out with ERROR_TIMEOUT', () => {
    const { dir, api } = freshSim();
    updateSettings(dir, { lockTimeoutMs: 200 });
    // This process holds the lock file as if it were inside a call.
    fs.writeFileSync(path.join(dir, 'state.lock'), `${process.pid}\n`);
    const started = Date.now();
    let err: unknown;
    try {
      api.network.enumerate(writeQuery());
    } catch (e) {
      err = e;
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(err).toBeInstanceOf(HnsError);
    expect((err as HnsError).hresult).toBe(HR.ERROR_TIMEOUT);
    fs.rmSync(path.join(dir, 'state.lock'));
    expect(createSimApi(dir).network.enumerate(writeQuery())).toBe('[]');
  });
});
