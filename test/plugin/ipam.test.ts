import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { type CniVersion } from '../../spec/versions';
import { NatCode } from '../../plugin/errors';
import { checkIpamType, delegateIpam, findIpamPlugin, type IpamCommand } from '../../plugin/ipam';

const REPO = path.resolve(__dirname, '../..');
const HOST_LOCAL_DIR = '/usr/lib/cni';
const FAKE = path.join(REPO, 'test/fixtures/ipam/fake-ipam');

let work: string;
/** A CNI_PATH folder holding the fake IPAM plugin as `fake`. */
let fakeDir: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ipam-'));
  fakeDir = path.join(work, 'bin');
  fs.mkdirSync(fakeDir);
  fs.copyFileSync(FAKE, path.join(fakeDir, 'fake'));
  fs.chmodSync(path.join(fakeDir, 'fake'), 0o755);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Whether a process still runs; a zombie does not (this machine's init reaps orphans slowly). */
function isRunning(pid: number): boolean {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function thrown(fn: () => unknown): CniError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CniError);
    return e as CniError;
  }
  throw new Error('expected a CniError');
}

/** The environment a runtime gives the nat plugin. */
const runtimeEnv = (containerId: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: containerId,
  CNI_NETNS: '6f1c9a2e-0d4b-4b8e-9c3f-2a7d5e8b1c40',
  CNI_IFNAME: 'eth0',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default',
  CNI_PATH: HOST_LOCAL_DIR,
  ...extra,
});

describe('host-local (Debian containernetworking-plugins)', () => {
  let dataDir: string;
  const config = (version: CniVersion, subnet = '10.77.0.0/24') =>
    Buffer.from(
      JSON.stringify({
        cniVersion: version,
        name: 'natnet',
        type: 'nat',
        ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir },
      }),
    );
  const run = (command: IpamCommand, containerId: string, version: CniVersion = '1.0.0', subnet?: string) =>
    delegateIpam(command, {
      type: 'host-local',
      cniPath: [fakeDir, HOST_LOCAL_DIR],
      env: runtimeEnv(containerId),
      stdin: config(version, subnet),
      cniVersion: version,
    });

  beforeAll(() => {
    expect(fs.existsSync(path.join(HOST_LOCAL_DIR, 'host-local'))).toBe(true);
    dataDir = path.join(work, 'host-local-data');
  });

  it('ADD allocates from the subnet, a second ADD gets the next address', () => {
    const first = run('ADD', 'ctr-a');
    expect(first?.ips).toEqual([{ address: '10.77.0.2/24', gateway: '10.77.0.1' }]);
    expect(first?.cniVersion).toBe('1.0.0');
    const second = run('ADD', 'ctr-b');
    expect(second?.ips).toEqual([{ address: '10.77.0.3/24', gateway: '10.77.0.1' }]);
    // Its reservations live in our private dataDir, never in /var/lib/cni.
    expect(fs.readFileSync(path.join(dataDir, 'natnet', '10.77.0.2'), 'utf8')).toContain('ctr-a');
  });

  it("CHECK passes for an allocated container and fails, with host-local's code, for an unknown one", () => {
    expect(run('CHECK', 'ctr-a')).toBeUndefined();
    const err = thrown(() => run('CHECK', 'ctr-unknown'));
    expect(err.code).toBe(999);
    expect(err.msg).toMatch(/^IPAM plugin "host-local" failed: .*ctr-unknown/);
  });

  it('DEL releases the address and returns nothing; a repeated DEL still succeeds', () => {
    expect(run('DEL', 'ctr-a')).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'natnet', '10.77.0.2'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'natnet', '10.77.0.3'))).toBe(true);
    expect(run('DEL', 'ctr-a')).toBeUndefined();
  });

  it('reads its answer in every version it speaks', () => {
    const versions: CniVersion[] = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];
    for (const [n, version] of versions.entries()) {
      const result = run('ADD', `ctr-v${n}`, version, '10.79.0.0/24');
      expect(result?.cniVersion).toBe(version);
      expect(result?.ips?.[0]?.address).toMatch(/^10\.79\.0\.\d+\/24$/);
      expect(result?.ips?.[0]?.gateway).toBe('10.79.0.1');
    }
  });

  it("passes on an exhausted range as host-local's own error", () => {
    // A /30 holds one address besides the gateway.
    expect(run('ADD', 'ctr-x1', '1.0.0', '10.80.0.0/30')?.ips?.[0]?.address).toBe('10.80.0.2/30');
    const err = thrown(() => run('ADD', 'ctr-x2', '1.0.0', '10.80.0.0/30'));
    expect(err.msg).toMatch(/^IPAM plugin "host-local" failed: .*no IP addresses available/);
    expect(err.code).not.toBe(NatCode.IpamFailure);
  });
});

describe('finding the plugin', () => {
  it.each(['', '../host-local', 'a/b', 'a\\b', '..', 'x..y', 'nul\0byte', '/usr/lib/cni/host-local'])(
    'refuses the type %j with code 7 before running anything',
    (type) => {
      const err = thrown(() =>
        delegateIpam('ADD', {
          type,
          cniPath: [HOST_LOCAL_DIR],
          env: runtimeEnv('c'),
          stdin: Buffer.from('{}'),
          cniVersion: '1.0.0',
        }),
      );
      expect(err.code).toBe(7);
      expect(err.msg).toMatch(/^invalid IPAM plugin type /);
    },
  );

  it('accepts ordinary names', () => {
    for (const type of ['host-local', 'dhcp', 'my_ipam.v2', 'static']) expect(() => checkIpamType(type)).not.toThrow();
  });

  it('names the plugin and the path when it is missing, as libcni does', () => {
    const err = thrown(() => findIpamPlugin('no-such-ipam', [fakeDir, '', HOST_LOCAL_DIR]));
    expect(err.code).toBe(7);
    expect(err.msg).toBe(`failed to find plugin "no-such-ipam" in path [${fakeDir} ${HOST_LOCAL_DIR}]`);
    const none = thrown(() => findIpamPlugin('host-local', ['']));
    expect(none.code).toBe(7);
    expect(none.msg).toBe('no paths provided');
  });

  it('searches CNI_PATH in order and wants a regular file', () => {
    const a = fs.mkdtempSync(path.join(work, 'path-a-'));
    const b = fs.mkdtempSync(path.join(work, 'path-b-'));
    fs.mkdirSync(path.join(a, 'thing')); // a folder of that name does not count
    fs.writeFileSync(path.join(b, 'thing'), '');
    expect(findIpamPlugin('thing', [a, b], 'linux')).toBe(path.join(b, 'thing'));
    fs.writeFileSync(path.join(a, 'thing.exe'), '');
    // Off Windows the .exe is not looked for.
    expect(findIpamPlugin('thing', [a, b], 'linux')).toBe(path.join(b, 'thing'));
  });

  it('on Windows prefers <type>.exe and falls back to <type>', () => {
    const a = fs.mkdtempSync(path.join(work, 'win-a-'));
    const b = fs.mkdtempSync(path.join(work, 'win-b-'));
    fs.writeFileSync(path.join(a, 'ipam'), '');
    fs.writeFileSync(path.join(b, 'ipam.exe'), '');
    // Per folder: the first folder's bare name wins over a later folder's .exe, as in libcni.
    expect(findIpamPlugin('ipam', [a, b], 'win32')).toBe(path.join(a, 'ipam'));
    fs.writeFileSync(path.join(a, 'ipam.exe'), '');
    expect(findIpamPlugin('ipam', [a, b], 'win32')).toBe(path.join(a, 'ipam.exe'));
    expect(findIpamPlugin('ipam.exe', [b], 'win32')).toBe(path.join(b, 'ipam.exe'));
  });
});

describe('a fake IPAM plugin', () => {
  const run = (
    command: IpamCommand,
    mode: string,
    extra: { timeoutMs?: number; record?: string; stdin?: Buffer } = {},
  ) =>
    delegateIpam(command, {
      type: 'fake',
      cniPath: [fakeDir],
      env: runtimeEnv('ctr-fake', { FAKE_IPAM: mode, FAKE_IPAM_RECORD: extra.record ?? work }),
      stdin: extra.stdin ?? Buffer.from('{"cniVersion":"1.0.0","name":"natnet","type":"nat","ipam":{"type":"fake"}}'),
      cniVersion: '1.0.0',
      ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
    });

  it('gets our stdin byte for byte and our environment with only CNI_COMMAND changed', () => {
    const record = fs.mkdtempSync(path.join(work, 'record-'));
    // Unknown keys, key order, spacing and non-ASCII text: everything a re-serialisation would lose.
    const stdin = Buffer.from(
      '{ "type":"nat", "cniVersion":"1.0.0",\n  "name":"natnet", "zExtra": {"keep": [1, 2.50, "ü"]},\r\n "ipam": {"type":"fake", "Subnet":"10.0.0.0/24"} }\n',
    );
    for (const command of ['ADD', 'DEL', 'CHECK'] as const) {
      run(command, 'record', { record, stdin });
      expect(fs.readFileSync(path.join(record, 'stdin')).equals(stdin)).toBe(true);
      const env = Object.fromEntries(
        fs
          .readFileSync(path.join(record, 'env'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(env.CNI_COMMAND).toBe(command);
      const expected = runtimeEnv('ctr-fake', { FAKE_IPAM: 'record', FAKE_IPAM_RECORD: record });
      for (const key of ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH', 'FAKE_IPAM'] as const) {
        expect(env[key]).toBe(expected[key]);
      }
    }
  });

  it('passes an error code 11 through as 11, with msg and details', () => {
    const err = thrown(() => run('ADD', 'fail11'));
    expect(err.code).toBe(11);
    expect(err.msg).toBe('IPAM plugin "fake" failed: pool is busy');
    expect(err.details).toBe('retry in a second');
    // The same for DEL and CHECK.
    expect(thrown(() => run('DEL', 'fail11')).code).toBe(11);
    expect(thrown(() => run('CHECK', 'fail11')).code).toBe(11);
  });

  it('believes an error object printed with exit status 0', () => {
    const err = thrown(() => run('ADD', 'error-exit0'));
    expect(err.code).toBe(7);
    expect(err.msg).toBe('IPAM plugin "fake" failed: bad range');
  });

  it('turns garbage on stdout into a readable IPAM failure', () => {
    const err = thrown(() => run('ADD', 'garbage'));
    expect(err.code).toBe(NatCode.IpamFailure);
    expect(err.msg).toMatch(/^IPAM plugin "fake" printed a result that is not JSON .*"this is not json"/);
    // DEL and CHECK ignore stdout on success, as libcni does.
    expect(run('DEL', 'garbage')).toBeUndefined();
    expect(run('CHECK', 'garbage')).toBeUndefined();
  });

  it('reports failures without a CNI error: text on stdout, a string code, stderr only, nothing at all', () => {
    const text = thrown(() => run('ADD', 'garbage-fail'));
    expect(text.code).toBe(NatCode.IpamFailure);
    expect(text.msg).toContain('"plain text failure"');
    expect(text.msg).toContain('exit status 1');
    const stringCode = thrown(() => run('DEL', 'code-string'));
    expect(stringCode.code).toBe(NatCode.IpamFailure);
    expect(stringCode.msg).toContain('not a CNI error');
    const stderrOnly = thrown(() => run('ADD', 'stderr-only'));
    expect(stderrOnly.code).toBe(NatCode.IpamFailure);
    expect(stderrOnly.msg).toBe('IPAM plugin "fake" failed (exit status 1): "disk full"');
    const silent = thrown(() => run('CHECK', 'silent-fail'));
    expect(silent.code).toBe(NatCode.IpamFailure);
    expect(silent.msg).toBe('IPAM plugin "fake" failed with no error message: exit status 3');
  });

  it('refuses an ADD answer that is empty, has no address or is not a valid result', () => {
    expect(thrown(() => run('ADD', 'empty')).msg).toBe('IPAM plugin "fake" printed no result');
    expect(run('DEL', 'empty')).toBeUndefined();
    const noIps = thrown(() => run('ADD', 'noips'));
    expect(noIps.code).toBe(NatCode.IpamFailure);
    expect(noIps.msg).toBe('IPAM plugin "fake" returned no IP addresses');
    const bad = thrown(() => run('ADD', 'bad-address'));
    expect(bad.code).toBe(NatCode.IpamFailure);
    expect(bad.msg).toMatch(/^IPAM plugin "fake" printed a result we cannot read: .*invalid CIDR address: 10\.9\.0\.8/);
  });

  it('accepts a 0.2.0 answer under a 1.0.0 configuration', () => {
    const result = run('ADD', 'v020');
    expect(result).toMatchObject({
      cniVersion: '0.2.0',
      ips: [{ address: '10.9.0.5/24', gateway: '10.9.0.1' }],
      routes: [{ dst: '0.0.0.0/0' }],
      dns: { nameservers: ['10.9.0.53'] },
    });
  });

  it('accepts a 0.4.0 answer and keeps every address (no down-conversion to 0.2.0)', () => {
    const result = run('ADD', 'v040');
    expect(result?.cniVersion).toBe('0.4.0');
    expect(result?.ips).toEqual([
      { address: '10.9.0.6/24', gateway: '10.9.0.1' },
      { address: 'fd00::6/64', gateway: 'fd00::1' },
    ]);
  });

  it("reads an answer without cniVersion in the configuration's version", () => {
    expect(run('ADD', 'noversion')).toMatchObject({ cniVersion: '1.0.0', ips: [{ address: '10.9.0.7/24' }] });
  });

  it('reads the answer of a plugin that leaves a large stdin unread', () => {
    // Far more than a pipe buffer: the write fails with EPIPE, yet the plugin answered and exited 0.
    const stdin = Buffer.from(
      JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'nat', pad: 'x'.repeat(1 << 20) }),
    );
    expect(run('ADD', 'ignore-stdin', { stdin })?.ips).toEqual([{ address: '10.9.0.9/24' }]);
    expect(run('DEL', 'ignore-stdin', { stdin })).toBeUndefined();
  });

  it('reports a crash with the signal', () => {
    const err = thrown(() => run('ADD', 'crash'));
    expect(err.code).toBe(NatCode.IpamFailure);
    expect(err.msg).toBe('IPAM plugin "fake" was killed by signal SIGSEGV');
  });

  it('kills a plugin that outlives the timeout, and what it started', () => {
    const record = fs.mkdtempSync(path.join(work, 'sleep-'));
    const started = Date.now();
    const err = thrown(() => run('ADD', 'sleep', { timeoutMs: 500, record }));
    const took = Date.now() - started;
    expect(err.code).toBe(NatCode.IpamFailure);
    expect(err.msg).toBe('IPAM plugin "fake" did not finish within 500 ms and was killed');
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(5_000);
    const child = Number(fs.readFileSync(path.join(record, 'child'), 'utf8'));
    const deadline = Date.now() + 2_000;
    while (isRunning(child) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    expect(isRunning(child)).toBe(false);
  });

  it('refuses a timeout that would mean no timeout at all', () => {
    for (const timeoutMs of [0, -5, Number.NaN]) {
      const err = thrown(() => run('ADD', 'record', { timeoutMs }));
      expect(err.msg).toMatch(/^invalid IPAM timeout/);
    }
  });

  it('reports a plugin file it cannot execute', () => {
    const dir = fs.mkdtempSync(path.join(work, 'noexec-'));
    fs.writeFileSync(path.join(dir, 'fake'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const err = thrown(() =>
      delegateIpam('ADD', {
        type: 'fake',
        cniPath: [dir],
        env: runtimeEnv('c'),
        stdin: Buffer.from('{}'),
        cniVersion: '1.0.0',
      }),
    );
    expect(err.code).toBe(NatCode.IpamFailure);
    expect(err.msg).toMatch(/^IPAM plugin "fake" could not be run .*EACCES/);
  });
});

describe('delegateIpam in a plugin process', () => {
  it("passes the delegate's stderr on to ours and prints nothing on stdout", () => {
    const bundle = path.join(work, 'ipam.cjs');
    buildSync({
      entryPoints: [path.join(REPO, 'plugin/ipam.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['koffi'],
      outfile: bundle,
      logLevel: 'warning',
    });
    const script = `
      const { delegateIpam } = require(process.env.BUNDLE);
      try {
        delegateIpam('ADD', { type: 'fake', cniPath: [process.env.FAKE_DIR], env: process.env,
          stdin: require('node:fs').readFileSync(0), cniVersion: '1.0.0' });
      } catch (e) { process.exitCode = e.code; }`;
    const r = spawnSync(process.execPath, ['-e', script], {
      input: '{"cniVersion":"1.0.0","name":"n","type":"nat"}',
      env: { ...runtimeEnv('c'), BUNDLE: bundle, FAKE_DIR: fakeDir, FAKE_IPAM: 'fail11', FAKE_IPAM_RECORD: work },
      encoding: 'utf8',
    });
    expect(r.status).toBe(11);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('fake-ipam: pool is busy');
  });
});
