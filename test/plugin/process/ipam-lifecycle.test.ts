/**
 * The delegated IPAM lifecycle through dist/nat as a runtime calls it: Debian's host-local for ADD, DEL,
 * CHECK and the replace case; our recording IPAM plugin (test/fixtures/ipam/recording-ipam.ts) for GC and
 * STATUS, which host-local 1.1 does not know. Also CHECK's lock and its view of a chained prevResult.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { networkLockFile } from '../../../plugin/lock';
import { NAT, REPO, SimHost, buildPluginAndSim, natConfig } from './harness';

const HOST_LOCAL_DIR = '/usr/lib/cni';
const haveHostLocal = fs.existsSync(path.join(HOST_LOCAL_DIR, 'host-local'));
const RECORDING_DIR = path.join(REPO, 'build/test-plugins');

beforeAll(() => {
  buildPluginAndSim();
  execFileSync('make', ['-s', 'build/test-plugins/recording-ipam'], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 120_000);

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function fresh(): { host: SimHost; dataDir: string } {
  const host = new SimHost();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ipam-'));
  cleanup.push(
    () => host.remove(),
    () => fs.rmSync(dataDir, { recursive: true, force: true }),
  );
  return { host, dataDir };
}

const mapping = (hostPort: number) => ({
  runtimeConfig: { portMappings: [{ hostPort, containerPort: 80, protocol: 'tcp' }] },
});

/** host-local's lease files of a container: each holds `<containerID>\r\n<ifname>` (disk backend). */
function hostLocalLeases(dataDir: string, containerId: string): string[] {
  const dir = path.join(dataDir, 'nat');
  return fs
    .readdirSync(dir)
    .filter((f) => !f.startsWith('last_reserved_ip') && f !== 'lock')
    .filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').split(/\r?\n/)[0] === containerId);
}

interface Call {
  command: string;
  containerId: string;
  ifName: string;
  stdin: Record<string, unknown>;
}
const calls = (dataDir: string): Call[] =>
  fs.existsSync(path.join(dataDir, 'calls.jsonl'))
    ? fs
        .readFileSync(path.join(dataDir, 'calls.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Call)
    : [];

// make test installs containernetworking-plugins: a missing host-local is a failure, never a skip.
describe('with Debian host-local as the IPAM plugin', () => {
  beforeAll(() => {
    if (!haveHostLocal)
      throw new Error(`no ${HOST_LOCAL_DIR}/host-local: run make test-deps (Debian containernetworking-plugins)`);
  });
  const config = (dataDir: string) =>
    natConfig('1.0.0', {
      ipam: { type: 'host-local', subnet: '172.20.0.0/16', routes: [{ gateway: '172.20.0.1' }], dataDir },
    });

  it('an ADD that replaces the endpoint (other port mappings) succeeds in one call and leaves one lease', () => {
    const { host, dataDir } = fresh();
    const netns = host.createNamespace();
    const first = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns,
      ifName: 'eth0',
      config: { ...config(dataDir), ...mapping(8080) },
      path: HOST_LOCAL_DIR,
    });
    expect(first.code, first.stdout).toBe(0);
    const second = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns,
      ifName: 'eth0',
      config: { ...config(dataDir), ...mapping(8081) },
      path: HOST_LOCAL_DIR,
    });
    expect(second.code, second.stdout).toBe(0);
    expect(hostLocalLeases(dataDir, 'c1')).toHaveLength(1);
    const endpoints = host.dump().endpoints;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.Policies?.find((p) => p.Type === 'PortMapping')?.Settings?.ExternalPort).toBe(8081);
    const leased = hostLocalLeases(dataDir, 'c1')[0];
    expect(endpoints[0]?.IpConfigurations?.[0]?.IpAddress).toBe(leased);
    expect(
      host.run({
        command: 'DEL',
        containerId: 'c1',
        netns,
        ifName: 'eth0',
        config: config(dataDir),
        path: HOST_LOCAL_DIR,
      }).code,
    ).toBe(0);
    expect(hostLocalLeases(dataDir, 'c1')).toEqual([]);
  });

  it('GC and STATUS of a 1.1.0 config succeed without asking host-local, which predates them', () => {
    const { host, dataDir } = fresh();
    const netns = host.createNamespace();
    // host-local 1.1 refuses a 1.1.0 config for ADD too: the attachment is made in 1.0.0.
    expect(
      host.run({
        command: 'ADD',
        containerId: 'c1',
        netns,
        ifName: 'eth0',
        config: config(dataDir),
        path: HOST_LOCAL_DIR,
      }).code,
    ).toBe(0);
    const conf = { ...config(dataDir), cniVersion: '1.1.0' };
    const status = host.run({ command: 'STATUS', config: conf, path: HOST_LOCAL_DIR });
    expect(status.code, status.stdout).toBe(0);
    const gc = host.run({ command: 'GC', config: { ...conf, 'cni.dev/valid-attachments': [] }, path: HOST_LOCAL_DIR });
    expect(gc.code, gc.stdout).toBe(0);
    // Our stale endpoint is gone; host-local's lease stays, since host-local has no GC to ask.
    expect(host.dump().endpoints).toEqual([]);
    expect(hostLocalLeases(dataDir, 'c1')).toHaveLength(1);
  });
});

describe('with an IPAM plugin that knows GC and STATUS (recording-ipam)', () => {
  const config = (dataDir: string) =>
    natConfig('1.1.0', {
      ipam: { type: 'recording-ipam', subnet: '172.20.0.0/16', routes: [{ gateway: '172.20.0.1' }], dataDir },
    });
  const run = (host: SimHost, inv: Parameters<SimHost['run']>[0]) => host.run({ path: RECORDING_DIR, ...inv });

  it('GC is forwarded with the valid-attachments the runtime sent, after our stale endpoints are gone', () => {
    const { host, dataDir } = fresh();
    const netns = host.createNamespace();
    for (const id of ['keep', 'stale'])
      expect(run(host, { command: 'ADD', containerId: id, netns, ifName: 'eth0', config: config(dataDir) }).code).toBe(
        0,
      );
    const valid = [{ containerID: 'keep', ifname: 'eth0' }];
    const gc = run(host, { command: 'GC', config: { ...config(dataDir), 'cni.dev/valid-attachments': valid } });
    expect(gc.code, gc.stdout).toBe(0);
    const forwarded = calls(dataDir).filter((c) => c.command === 'GC');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.stdin['cni.dev/valid-attachments']).toEqual(valid);
    expect(fs.readdirSync(path.join(dataDir, 'leases'))).toEqual(['keep_eth0']);
    expect(host.dump().endpoints.map((e) => e.Name)).toEqual(['keep_nat']);
  });

  it('STATUS asks the IPAM plugin; its error is ours, code included', () => {
    const { host, dataDir } = fresh();
    expect(run(host, { command: 'STATUS', config: config(dataDir) }).code).toBe(0);
    expect(calls(dataDir).map((c) => c.command)).toEqual(['STATUS']);
    for (const code of [50, 51]) {
      fs.writeFileSync(path.join(dataDir, 'status.json'), JSON.stringify({ code, msg: 'the address pool is offline' }));
      const status = run(host, { command: 'STATUS', config: config(dataDir) });
      expect(status.code).toBe(1);
      expect(status.json?.code).toBe(code);
      expect(String(status.json?.msg)).toContain('the address pool is offline');
    }
  });

  it('ADD, CHECK and DEL reach the IPAM plugin with the attachment, in that order', () => {
    const { host, dataDir } = fresh();
    const netns = host.createNamespace();
    const add = run(host, { command: 'ADD', containerId: 'c1', netns, ifName: 'eth0', config: config(dataDir) });
    expect(add.code, add.stdout).toBe(0);
    expect(
      run(host, {
        command: 'CHECK',
        containerId: 'c1',
        netns,
        ifName: 'eth0',
        config: { ...config(dataDir), prevResult: add.json },
      }).code,
    ).toBe(0);
    expect(run(host, { command: 'DEL', containerId: 'c1', netns, ifName: 'eth0', config: config(dataDir) }).code).toBe(
      0,
    );
    // ADD first releases what an earlier ADD of the attachment may hold, then allocates.
    expect(calls(dataDir).map((c) => `${c.command} ${c.containerId}/${c.ifName}`)).toEqual([
      'DEL c1/eth0',
      'ADD c1/eth0',
      'CHECK c1/eth0',
      'DEL c1/eth0',
    ]);
  });
});

describe('CHECK', () => {
  it('waits for the network lock like ADD and DEL', async () => {
    const { host } = fresh();
    const netns = host.createNamespace();
    const config = natConfig('1.0.0');
    const add = host.run({ command: 'ADD', containerId: 'c1', netns, ifName: 'eth0', config });
    expect(add.code).toBe(0);
    // Another plugin process (this one, alive) holds the lock of network "nat".
    const lock = path.join(host.stateDir, networkLockFile('nat'));
    fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    const child = spawn(NAT, [], {
      env: host.env({ command: 'CHECK', containerId: 'c1', netns, ifName: 'eth0', config }),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(JSON.stringify({ ...config, prevResult: add.json }));
    const early = await Promise.race([
      exited.then(() => 'exited'),
      new Promise((r) => setTimeout(() => r('waiting'), 2_000)),
    ]);
    expect(early, out).toBe('waiting');
    fs.rmSync(lock);
    expect(await exited, out).toBe(0);
  });

  it("in a chain, checks only its own interface: other plugins' interfaces and addresses are not drift", () => {
    const { host } = fresh();
    const netns = host.createNamespace();
    const config = natConfig('1.0.0');
    const add = host.run({ command: 'ADD', containerId: 'c1', netns, ifName: 'eth1', config });
    expect(add.code).toBe(0);
    const ours = add.json as {
      interfaces: Array<{ name: string }>;
      ips: Array<{ address: string; interface: number }>;
    };
    // An earlier plugin's interface comes first: ours moves to index 1.
    const prevResult = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'eth0', sandbox: netns }, ...ours.interfaces],
      ips: [{ address: '192.0.2.7/24', interface: 0 }, ...ours.ips.map((ip) => ({ ...ip, interface: 1 }))],
    };
    const check = host.run({
      command: 'CHECK',
      containerId: 'c1',
      netns,
      ifName: 'eth1',
      config: { ...config, prevResult },
    });
    expect(check.code, check.stdout).toBe(0);
    // Our own address is still checked.
    const wrong = { ...prevResult, ips: [prevResult.ips[0], { address: '172.20.99.99/16', interface: 1 }] };
    const drift = host.run({
      command: 'CHECK',
      containerId: 'c1',
      netns,
      ifName: 'eth1',
      config: { ...config, prevResult: wrong },
    });
    expect(drift.code).toBe(1);
    expect(String(drift.json?.msg)).toContain('172.20.99.99');
  });
});
