/**
 * Nothing may hang a plugin call, or hold a network lock without a bound (dist/nat as a process):
 * a log path under /proc (Node 20's recursive mkdir never returns there), an HNS call that never
 * returns (the simulator's hang fault) under the lock, and dist/nat without a named backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimHost, buildPluginAndSim, natConfig } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const V = '1.0.0';

describe('a log that cannot be created', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it.each([
    ['logFile', (file: string) => ({ config: natConfig(V, { logFile: file }) })],
    ['NAT_CNI_LOG', (file: string) => ({ config: natConfig(V), env: { NAT_CNI_LOG: file } })],
  ])('under /proc (%s) neither hangs nor fails ADD and DEL: the log goes to stderr', (_how, setting) => {
    const netns = host.createNamespace();
    const started = Date.now();
    const add = host.run({
      command: 'ADD',
      containerId: `proc-${_how}`,
      netns,
      ifName: 'eth0',
      ...setting('/proc/x/y.log'),
    });
    expect(add.code, add.stdout + add.stderr).toBe(0);
    expect(add.stderr).toContain('cannot write the log file /proc/x/y.log');
    const del = host.run({
      command: 'DEL',
      containerId: `proc-${_how}`,
      netns,
      ifName: 'eth0',
      ...setting('/proc/x/y.log'),
    });
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('an HNS call that never returns while the network lock is held', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it('ends the call at the bound with code 11 on stdout, and the next call on the network goes through', () => {
    const config = natConfig(V);
    // The network exists first, so that the hang is in the endpoint's creation, under the lock.
    const first = host.run({
      command: 'ADD',
      containerId: 'before',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config,
    });
    expect(first.code, first.stdout).toBe(0);
    host.sim('fault', 'add', '--fn', 'HcnCreateEndpoint', '--nth', '1', '--hang');
    const started = Date.now();
    const stuck = host.run({
      command: 'ADD',
      containerId: 'stuck',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config,
      env: { NAT_CNI_LOCK_HOLD_MS: '1500' },
    });
    const took = Date.now() - started;
    expect(stuck.json, stuck.stdout + stuck.stderr).toMatchObject({ cniVersion: V, code: 11 });
    expect(String(stuck.json?.msg)).toContain('the lock of network "nat"');
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(30_000);

    const after = Date.now();
    const next = host.run({
      command: 'ADD',
      containerId: 'after',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config,
    });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(Date.now() - after).toBeLessThan(15_000);
  });
});

describe('dist/nat without NAT_CNI_HNS off Windows', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it.each(['ADD', 'DEL', 'CHECK'])('%s fails with code 4 naming the variable, and touches no simulator', (command) => {
    const netns = host.createNamespace();
    const before = host.dump();
    const config = command === 'CHECK' ? natConfig(V, { prevResult: { cniVersion: V, ips: [] } }) : natConfig(V);
    const r = host.run({ command, containerId: 'nobackend', netns, ifName: 'eth0', config, env: { NAT_CNI_HNS: '' } });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 4 });
    expect(String(r.json?.msg)).toMatch(/NAT_CNI_HNS is not set.*sim:<state folder>/);
    expect(host.dump()).toEqual(before);
  });
});
