/**
 * The nat profile with HNS seen through the HCN API itself, as it will be on a Windows host:
 * dist/nat on NAT_CNI_HNS=ffi:dist/libcomputenetwork.so, the fake library forwarding to `hns-sim
 * serve`, and the suite reading state through the same library with hns/ffi (koffi).
 *
 * 1. Simulator mode: the whole profile, compat mode, state read through the HCN API.
 * 2. Host mode (--hns host): the suite finds an HNS already running (here `hns-sim serve`, standing in
 *    for the Windows service) that holds someone else's network and namespace. It must use its own
 *    names and a subnet that overlaps nothing, touch nothing else (the server's request log shows
 *    every call), and leave the host as it found it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSuite, ROOT, runSuite, statusOf, type SuiteRun } from './suite-process';

const NAT = path.join(ROOT, 'dist/nat');
const SIM = path.join(ROOT, 'dist/hns-sim');
const LIB = path.join(ROOT, 'dist/libcomputenetwork.so');
const LOAD = ['--parallel', '8', '--jobs', '2'];

beforeAll(() => {
  buildSuite();
  execFileSync('make', ['-s', 'dist/nat', 'dist/hns-sim', 'dist/libcomputenetwork.so'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 300_000);

describe('nat profile against dist/nat over the FFI path, state read through the HCN API', () => {
  let run: SuiteRun;
  beforeAll(async () => {
    run = await runSuite(
      ['--plugin', NAT, '--profile', 'nat', '--hns-sim', SIM, '--hns-ffi', LIB, '--mode', 'compat', ...LOAD],
      {
        ...process.env,
        NAT_CNI_HNS: `ffi:${LIB}`,
      },
    );
  }, 600_000);

  it('reads HNS through the HCN API, not the simulator dump', () => {
    expect(run.stdout.split('\n')[0]).toContain(`state read through the HCN API (${LIB})`);
  });

  it('passes every case that applies', () => {
    const failed = run.report?.cases.filter((c) => c.status === 'FAIL').map((c) => c.id) ?? ['(no report)'];
    expect(failed, run.stdout).toEqual([]);
    for (const id of ['C-34', 'C-52', 'C-53', 'C-54', 'C-58', 'C-59', 'C-60', 'C-76', 'C-77'])
      expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('PASS');
  });
});

describe('nat profile in host mode: an HNS that is already there, touched only through the HCN API', () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-profile-host-'));
  const log = path.join(state, 'requests.jsonl');
  let server: ChildProcess;
  let addr = '';
  let run: SuiteRun;
  type Dump = { networks: { ID: string; Name: string }[]; endpoints: unknown[]; namespaces: { ID: string }[] };
  const dump = (): Dump => JSON.parse(execFileSync(SIM, ['--state', state, 'dump'], { encoding: 'utf8' })) as Dump;
  let before: Dump;

  beforeAll(async () => {
    // Someone else's NAT network on the first /16 the suite would pick, and a namespace of theirs.
    execFileSync(SIM, ['--state', state, 'settings', 'set', 'host', 'ws2022']);
    execFileSync(SIM, ['--state', state, 'namespace', 'create']);
    server = spawn(SIM, ['--state', state, 'serve', '--listen', '127.0.0.1:0', '--log', log], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    addr = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.on('exit', (c) => reject(new Error(`hns-sim serve exited ${c}`)));
    });
    const env = {
      ...process.env,
      NAT_CNI_HNS: `ffi:${LIB}`,
      NAT_CNI_HNS_SIM_ADDR: addr,
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'theirs',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/nonexistent',
    };
    const theirNs = dump().namespaces.at(-1)?.ID ?? '';
    const theirs = {
      cniVersion: '1.0.0',
      name: 'theirs',
      type: 'nat',
      ipam: { subnet: '10.200.0.0/16', routes: [{ gateway: '10.200.0.1' }] },
    };
    execFileSync(NAT, [], {
      input: JSON.stringify(theirs),
      env: { ...env, CNI_NETNS: theirNs },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    before = dump();
    fs.rmSync(log, { force: true });
    // The cases that read or judge state; the fault cases need a simulator of the suite's own and skip.
    const only = 'C-32,C-34,C-46,C-52,C-53,C-54,C-58,C-59,C-76,C-77';
    run = await runSuite(
      [
        '--plugin',
        NAT,
        '--profile',
        'nat',
        '--hns',
        'host',
        '--hns-ffi',
        LIB,
        '--mode',
        'compat',
        '--only',
        only,
        ...LOAD,
      ],
      {
        ...process.env,
        NAT_CNI_HNS: `ffi:${LIB}`,
        NAT_CNI_HNS_SIM_ADDR: addr,
      },
    );
  }, 600_000);

  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('passes, with its own names and a subnet that overlaps nothing', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(
      /the host's HNS .*networks natcni-\*, subnets 10\.201\.0\.0\/16, state read through the HCN API/,
    );
    for (const id of ['C-34', 'C-53', 'C-54', 'C-58', 'C-59', 'C-76', 'C-77'])
      expect(statusOf(run, id), `${id}\n${run.stdout}`).toBe('PASS');
    expect(statusOf(run, 'C-52')).toBe('SKIP');
  });

  it('touched nothing of anyone else, and removed everything it created', () => {
    expect(dump()).toMatchObject({
      networks: before.networks,
      endpoints: before.endpoints,
      namespaces: before.namespaces,
    });
    const lines = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { fn: string; args: { value: string | null; document?: { Name?: string } }[] });
    const foreign = new Set(
      [...before.networks.map((n) => n.ID), ...before.namespaces.map((n) => n.ID)].map((id) => id.toLowerCase()),
    );
    const writes = lines.filter((l) => /^Hcn(Create|Modify|Delete)/.test(l.fn));
    expect(writes.length).toBeGreaterThan(20);
    for (const w of writes) {
      expect(
        w.args.some((a) => foreign.has(String(a.value).toLowerCase())),
        JSON.stringify(w),
      ).toBe(false);
      if (w.fn === 'HcnCreateNetwork') expect(w.args[1]?.document?.Name).toMatch(/^natcni-conf-/);
    }
  });
});
