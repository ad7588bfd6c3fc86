/**
 * nat.exe, the Windows build, run under Wine: the real single executable (Node 24 SEA, koffi's win32
 * addon from the SEA asset, the named-mutex lock, the ProgramData log) against `hns-sim serve`
 * through the fake computenetwork.dll, driven by hand, by the conformance suite and by libcni's
 * Windows build. One file on purpose: one wineserver for all of it, started and stopped here.
 *
 * The HNS backend is `NAT_CNI_HNS=ffi:Z:\...\dist\computenetwork.dll`, not plain `ffi`: plain `ffi`
 * loads computenetwork.dll, vmcompute.dll and ole32.dll from System32 by absolute path (hns/ffi/
 * library.ts), and Wine has no vmcompute.dll; with a path, HNSCall comes from the fake library too.
 * Everything after the library path (koffi, signatures, UTF-16, CoTaskMemFree from Wine's ole32) is
 * the production code path.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pins from '../../tools/exe/pins.json';
import {
  CONFORMANCE, FAKE_DLL, LIBCNI_DRIVER_EXE, NAT_EXE, REPO, SHIPPED_EXE, WINEPREFIX, fakeDllComplaints, runWine,
  runWineAsync, startSimServer, startWineServer, winPath, writeWineWrapper, type SimServer, type WineServer,
} from './wine';
import { installDoctorCases } from './install-doctor';

const pin = (role: string) => {
  const p = pins.packages.find((x) => x.role === role);
  if (!p) throw new Error(`no pin ${role}`);
  return p;
};
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const FFI = `ffi:${winPath(FAKE_DLL)}`;

let wine: WineServer;
let hns: SimServer;
let scratch: string;
/** Every stderr nat.exe wrote in this file, for the FFI smoke check at the end. */
const stderrSeen: string[] = [];

beforeAll(async () => {
  wine = await startWineServer();
  hns = await startSimServer();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-exe-test-'));
}, 180_000);

afterAll(async () => {
  await hns?.stop();
  await wine?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function nat(env: Record<string, string>, input = '', args: string[] = []) {
  const r = runWine(NAT_EXE, args, env, input);
  stderrSeen.push(r.stderr);
  return r;
}

const cniEnv = (command: string, containerId: string, netns: string, extra: Record<string, string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: containerId,
  CNI_NETNS: netns,
  CNI_IFNAME: 'eth0',
  CNI_PATH: 'C:\\Program Files\\containerd\\cni\\bin',
  NAT_CNI_HNS: FFI,
  NAT_CNI_HNS_SIM_ADDR: hns.addr,
  ...extra,
});

const natConfig = (name: string, third: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: '1.0.0',
    name,
    type: 'nat',
    ipam: { subnet: `172.29.${third}.0/24`, routes: [{ gateway: `172.29.${third}.1` }] },
    ...extra,
  });

interface DumpEndpoint { ID: string; Name?: string; Policies?: { Type: string; Settings?: Record<string, unknown> }[] }
const endpoints = (): DumpEndpoint[] => (JSON.parse(hns.sim(['dump'])) as { endpoints: DumpEndpoint[] }).endpoints;

describe('the executable', () => {
  it('is the pinned node.exe with the SEA blob, and the Wine copy differs from it in one byte only', () => {
    const shipped = fs.readFileSync(SHIPPED_EXE);
    const wineCopy = fs.readFileSync(NAT_EXE);
    expect(shipped.subarray(0, 2).toString('latin1')).toBe('MZ');
    expect(shipped.includes('NODE_SEA_BLOB')).toBe(true);
    expect(shipped.length).toBe(wineCopy.length);
    let diff = 0;
    for (let i = 0; i < shipped.length; i++) if (shipped[i] !== wineCopy[i]) diff++;
    expect(diff).toBe(1);
  });

  it('--version prints the about text, the CNI versions and Node 24', () => {
    const r = nat({}, '', ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^nat-cni \d+\.\d+\.\d+: CNI NAT plugin/);
    expect(r.stdout).toContain('1.1.0');
    expect(r.stdout).toContain(`Node.js v${pin('node-win').version}`);
  });

  it('without CNI_COMMAND prints the about text (on stderr, as the Go skel does) and exits 0', () => {
    const r = nat({});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nat-cni \d+\.\d+\.\d+: CNI NAT plugin/);
  });

  it('answers VERSION on pipes (stdin and stdout are not files)', () => {
    const r = nat({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { cniVersion: string; supportedVersions: string[] };
    expect(out.cniVersion).toBe('1.0.0');
    expect(out.supportedVersions).toContain('1.1.0');
  });

  it('reports errors as an error object with its CNI code and a non-zero exit status', () => {
    const r = nat(cniEnv('ADD', 'bad-json', hns.sim(['namespace', 'create']).trim()), '{"cniVersion":"1.0.0","name":"nät-€",');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { code: number }).code).toBe(6);
    const r2 = nat(cniEnv('ADD', 'bad-ver', hns.sim(['namespace', 'create']).trim()), natConfig('natexe', 1, { cniVersion: '9.9.9' }));
    expect(r2.status).toBe(1);
    expect(JSON.parse(r2.stdout)).toMatchObject({ code: 1, msg: 'incompatible CNI versions' });
  });

  it('passes UTF-8 through env, stdin and stdout unharmed', () => {
    // The log line of an ADD with non-ASCII CNI_ARGS must come back as written.
    const netns = hns.sim(['namespace', 'create']).trim();
    const config = natConfig('natexe', 2);
    const add = nat(cniEnv('ADD', 'ctr-utf8', netns, { CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=pöd-€-网络' }), config);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    const log = fs.readFileSync(path.join(WINEPREFIX, 'drive_c/ProgramData/nat-cni/nat.log'), 'utf8');
    expect(log).toContain('ctr-utf8');
    expect(nat(cniEnv('DEL', 'ctr-utf8', netns), config).status).toBe(0);
    const bad = nat(cniEnv('ADD', 'ctr-utf8-2', netns), natConfig('natexe', 2, { dns: { search: ['bücher.example'] }, runtimeConfig: { dns: { servers: ['10.0.0.53'], searches: ['bücher.example'] } } }));
    stderrSeen.push(bad.stderr);
    if (bad.status === 0) {
      expect(bad.stdout).toContain('bücher.example');
      nat(cniEnv('DEL', 'ctr-utf8-2', netns), config);
    } else {
      expect(bad.stdout).toMatch(/bücher\.example|"code"/);
    }
  });

  it('runs as win32: CNI_PATH is split on ";" and IPAM plugins are found as <type>.exe', () => {
    // A delegated IPAM plugin of our own, built for Windows: it answers ADD with a fixed address.
    const dirA = path.join(scratch, 'cni a');
    const dirB = path.join(scratch, 'cni-b');
    fs.mkdirSync(dirA);
    fs.mkdirSync(dirB);
    const src = path.join(scratch, 'fixed-ipam.c');
    fs.writeFileSync(src, [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) {',
      '  char buf[4096]; while (fread(buf, 1, sizeof buf, stdin) > 0) {}',
      '  const char *cmd = getenv("CNI_COMMAND");',
      '  if (cmd && strcmp(cmd, "ADD") == 0)',
      '    printf("{\\"cniVersion\\":\\"1.0.0\\",\\"ips\\":[{\\"address\\":\\"172.29.9.77/24\\",\\"gateway\\":\\"172.29.9.1\\"}]}");',
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    const cc = spawnSync('x86_64-w64-mingw32-gcc', ['-O2', '-o', path.join(dirB, 'fixed-ipam.exe'), src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const netns = hns.sim(['namespace', 'create']).trim();
    const config = natConfig('delegating', 9, { ipam: { type: 'fixed-ipam', subnet: '172.29.9.0/24' } });
    const cniPath = `${winPath(dirA)};${winPath(dirB)}`;
    const add = nat(cniEnv('ADD', 'ipam-exe', netns, { CNI_PATH: cniPath }), config);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect((JSON.parse(add.stdout) as { ips: { address: string }[] }).ips[0]?.address).toBe('172.29.9.77/24');
    const missing = nat(cniEnv('ADD', 'ipam-missing', netns, { CNI_PATH: cniPath }), natConfig('delegating2', 10, { ipam: { type: 'no-such-ipam', subnet: '172.29.10.0/24' } }));
    expect(missing.status).toBe(1);
    // Both folders, whole: the list was split on ";" (a ":" split would have cut "Z:\...").
    expect(JSON.parse(missing.stdout)).toMatchObject({ code: 7 });
    expect(missing.stdout).toContain(winPath(dirA).replace(/\\/g, '\\\\'));
    nat(cniEnv('DEL', 'ipam-exe', netns, { CNI_PATH: cniPath }), config);
  });
});

describe('ADD, CHECK and DEL through the FFI path', () => {
  it('creates the network and an attached endpoint with its port mapping, checks it and removes it', () => {
    const netns = hns.sim(['namespace', 'create']).trim();
    const config = natConfig('natexe', 2, { runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] } });
    const add = nat(cniEnv('ADD', 'ctr-ffi-1', netns), config);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    const result = JSON.parse(add.stdout) as { ips: { address: string }[]; interfaces: { sandbox: string }[] };
    expect(result.ips[0]?.address).toMatch(/^172\.29\.2\.\d+\/24$/);
    expect(result.interfaces[0]?.sandbox.toLowerCase()).toBe(netns.toLowerCase());
    const mine = endpoints().filter((e) => (e.Name ?? '').includes('ctr-ffi-1'));
    expect(mine).toHaveLength(1);
    const pm = mine[0]?.Policies?.find((p) => p.Type === 'PortMapping');
    expect(pm?.Settings).toMatchObject({ ExternalPort: 18080, InternalPort: 80 });

    const check = nat(cniEnv('CHECK', 'ctr-ffi-1', netns), JSON.stringify({ ...JSON.parse(config), prevResult: result }));
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toBe('');

    const del = nat(cniEnv('DEL', 'ctr-ffi-1', netns), config);
    expect(del.status, del.stdout + del.stderr).toBe(0);
    expect(endpoints().filter((e) => (e.Name ?? '').includes('ctr-ffi-1'))).toHaveLength(0);
  });

  it('serialises concurrent ADDs on one new network (named mutex): one network, every endpoint', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map((i) => runWineAsync(NAT_EXE, cniEnv('ADD', `ctr-race-${i}`, hns.sim(['namespace', 'create']).trim()), natConfig('natrace', 3))),
    );
    for (const r of runs) {
      stderrSeen.push(r.stderr);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    const dump = JSON.parse(hns.sim(['dump'])) as { networks: { Name: string }[] };
    expect(dump.networks.filter((n) => n.Name === 'natrace')).toHaveLength(1);
    expect(endpoints().filter((e) => (e.Name ?? '').includes('ctr-race-'))).toHaveLength(3);
  });

  it('logs to %ProgramData%\\nat-cni\\nat.log by default', () => {
    const log = path.join(WINEPREFIX, 'drive_c/ProgramData/nat-cni/nat.log');
    expect(fs.existsSync(log)).toBe(true);
    expect(fs.readFileSync(log, 'utf8')).toContain('ctr-ffi-1');
  });

  it("writes koffi's addon beside nat.exe, and replaces a tampered or missing copy before loading it", () => {
    const koffi = pin('koffi-win');
    const file = path.join(path.dirname(NAT_EXE), 'nat-cni-native', `koffi-${koffi.version}-${koffi.extractSha256?.slice(0, 16)}`, 'koffi.node');
    expect(sha256(file)).toBe(koffi.extractSha256);
    const cycle = (id: string) => {
      const netns = hns.sim(['namespace', 'create']).trim();
      const config = natConfig('natexe', 2);
      const add = nat(cniEnv('ADD', id, netns), config);
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(nat(cniEnv('DEL', id, netns), config).status).toBe(0);
    };
    fs.writeFileSync(file, 'MZ not koffi');
    cycle('ctr-tampered');
    expect(sha256(file)).toBe(koffi.extractSha256);
    fs.rmSync(path.dirname(file), { recursive: true });
    cycle('ctr-missing');
    expect(sha256(file)).toBe(koffi.extractSha256);
  });
});

describe('peers under Wine', () => {
  it('libcni (Windows build) drives nat.exe: ADD with a port mapping, CHECK, DEL, private cache', () => {
    const pluginDir = path.join(scratch, 'plugins');
    fs.mkdirSync(pluginDir, { recursive: true });
    fs.copyFileSync(NAT_EXE, path.join(pluginDir, 'nat.exe'));
    const conflist = JSON.parse(fs.readFileSync(path.join(REPO, 'test/fixtures/configs/nerdctl/nerdctl-nat.conflist'), 'utf8')) as {
      plugins: Record<string, unknown>[];
    };
    conflist.plugins[0] = { ...conflist.plugins[0], capabilities: { portMappings: true } };
    const confFile = path.join(scratch, 'nerdctl-nat.conflist');
    fs.writeFileSync(confFile, JSON.stringify(conflist));
    const cache = path.join(scratch, 'libcni-cache');
    const netns = hns.sim(['namespace', 'create']).trim();
    const capabilityArgs = JSON.stringify({ portMappings: [{ hostPort: 18081, containerPort: 8080, protocol: 'tcp' }] });
    const driver = (steps: string) => {
      const r = runWine(LIBCNI_DRIVER_EXE, [
        steps, '--conflist', winPath(confFile), '--plugin-dir', winPath(pluginDir), '--cache-dir', winPath(cache),
        '--netns', netns, '--container-id', 'libcni-ctr-1', '--capability-args', capabilityArgs,
      ], { NAT_CNI_HNS: FFI, NAT_CNI_HNS_SIM_ADDR: hns.addr }, '', 120_000);
      stderrSeen.push(r.stderr);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: string; ok: boolean; result?: { ips?: { address: string }[] } });
      return { ...r, steps: out, verdicts: out.map((s) => `${s.step}:${s.ok}`) };
    };
    const up = driver('add,cached,check');
    expect(up.verdicts, up.stdout + up.stderr).toEqual(['add:true', 'cached:true', 'check:true']);
    expect(up.status).toBe(0);
    expect(up.steps[0]?.result?.ips?.[0]?.address).toMatch(/^10\.4\.0\.\d+\/24$/);
    // The capability reached HNS: the endpoint carries the PortMapping policy.
    const mine = endpoints().filter((e) => (e.Name ?? '').includes('libcni-ctr-1'));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.Policies?.find((p) => p.Type === 'PortMapping')?.Settings).toMatchObject({ ExternalPort: 18081, InternalPort: 8080 });
    expect(fs.readdirSync(path.join(cache, 'results')).length).toBe(1);

    const down = driver('del');
    expect(down.verdicts, down.stdout + down.stderr).toEqual(['del:true']);
    expect(endpoints().filter((e) => (e.Name ?? '').includes('libcni-ctr-1'))).toHaveLength(0);
    expect(fs.readdirSync(path.join(cache, 'results')).length).toBe(0);
  }, 120_000);
});

/**
 * The conformance suite on a subset (a call costs ~0.3-0.5 s under Wine; the whole suite is ~20 min
 * per mode): the lifecycle, error and I/O cases. nat.exe under Wine must reach the same verdict as
 * dist/nat on Linux over the same FFI path (the fake .so), case by case, and the core must pass.
 */
const CONFORMANCE_CASES = 'C-03,C-04,C-12,C-21,C-22,C-29,C-34,C-40,C-53,C-55,C-64,C-67,C-73,X-02,X-10';
const MUST_PASS = ['C-03', 'C-29', 'C-34', 'C-40', 'C-53', 'C-55', 'C-64', 'X-02'];

interface Report { cases: { id: string; status: string; step?: string; got?: string }[] }

function conformance(plugin: string, library: string, mode: string): Report {
  const report = path.join(scratch, `report-${path.basename(plugin)}-${mode}.json`);
  const r = spawnSync('node', [CONFORMANCE, '--plugin', plugin, '--profile', 'nat', '--mode', mode, '--hns-ffi', library,
    '--versions', '1.0.0,1.1.0', '--only', CONFORMANCE_CASES, '--report', report, '--jobs', '2', '--parallel', '4'], { encoding: 'utf8', timeout: 600_000 });
  expect(fs.existsSync(report), r.stdout + r.stderr).toBe(true);
  return JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
}

describe.each(['strict', 'compat'])('the conformance suite, nat profile, %s mode', (mode) => {
  it('gives nat.exe under Wine the verdicts of dist/nat on Linux', () => {
    const stderrLog = path.join(scratch, `conformance-${mode}.stderr`);
    const wrapper = writeWineWrapper(fs.mkdtempSync(path.join(scratch, 'wrap-')), NAT_EXE, stderrLog);
    const onWine = conformance(wrapper, winPath(FAKE_DLL), mode);
    const onLinux = conformance(path.join(REPO, 'dist/nat'), path.join(REPO, 'dist/libcomputenetwork.so'), mode);
    const verdicts = (rep: Report) => Object.fromEntries(rep.cases.map((c) => [c.id, c.status]));
    expect(verdicts(onWine)).toEqual(verdicts(onLinux));
    for (const id of MUST_PASS) expect(verdicts(onWine)[id], JSON.stringify(onWine.cases.find((c) => c.id === id))).toBe('PASS');
    stderrSeen.push(fs.existsSync(stderrLog) ? fs.readFileSync(stderrLog, 'utf8') : '');
  }, 900_000);
});

describe('install, doctor and uninstall', () => {
  installDoctorCases({ run: (args) => nat({ NAT_CNI_HNS: FFI, NAT_CNI_HNS_SIM_ADDR: hns.addr }, '', args), stateDir: () => hns.stateDir, scratch: () => scratch });
});

describe('the FFI smoke check', () => {
  it('the fake computenetwork.dll saw no odd argument in any call of this file', () => {
    expect(stderrSeen.length).toBeGreaterThan(10);
    expect(stderrSeen.flatMap(fakeDllComplaints)).toEqual([]);
  });
});
