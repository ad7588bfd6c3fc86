/**
 * nat.exe, the Windows build, run under Wine: the real single executable (Node 24 SEA, koffi's win32
 * addon from the SEA asset, the named-mutex lock, the ProgramData log) against `hns-sim serve`
 * through the fake computenetwork.dll, driven by hand, by the conformance suite and by libcni's
 * Windows build. One file on purpose: one wineserver for all of it, started and stopped here.
 *
 * nat.exe runs exactly as shipped (but for the one-byte Wine 8.0 fix of tools/exe/wine-compat.sh): it
 * loads computenetwork.dll and vmcompute.dll from System32, where wine.ts installs the fake library
 * under both names; only NAT_CNI_HNS_SIM_ADDR, read by the fake, points it at `hns-sim serve`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pins from '../../tools/exe/pins.json';
import {
  CONFORMANCE,
  FAKE_DLL,
  LIBCNI_DRIVER_EXE,
  NAT_EXE,
  REPO,
  SHIPPED_EXE,
  WINEPREFIX,
  fakeDllComplaints,
  runWine,
  runWineAsync,
  startSimServer,
  startWineServer,
  winPath,
  writeWineWrapper,
  type SimServer,
  type WineServer,
} from './wine';
import { installDoctorCases } from './install-doctor';

const pin = (role: string) => {
  const p = pins.packages.find((x) => x.role === role);
  if (!p) throw new Error(`no pin ${role}`);
  return p;
};
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

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

interface DumpEndpoint {
  ID: string;
  Name?: string;
  Policies?: { Type: string; Settings?: Record<string, unknown> }[];
}
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

  it('holds no simulator code and no NAT_CNI_HNS switch (the SEA blob carries the bundle as text)', () => {
    const shipped = fs.readFileSync(SHIPPED_EXE);
    // Present: strings only the plugin has, so that the scan reads the bundle at all.
    expect(shipped.includes('refusing the lock of network')).toBe(true);
    expect(shipped.includes('HcnCreateEndpoint')).toBe(true);
    // Absent: the simulator's entry point and the development build's backend switch.
    expect(shipped.includes('createSimApi')).toBe(false);
    expect(shipped.includes('NAT_CNI_HNS')).toBe(false);
  });

  it('ignores NAT_CNI_HNS: HCN comes from System32 whatever the environment says', () => {
    const netns = hns.sim(['namespace', 'create']).trim();
    const config = natConfig('natexe', 2);
    for (const value of [`ffi:${winPath(path.join(scratch, 'no-such.dll'))}`, 'sim:C:\\hns']) {
      const add = nat(cniEnv('ADD', 'ctr-env', netns, { NAT_CNI_HNS: value }), config);
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(endpoints().filter((e) => (e.Name ?? '').includes('ctr-env'))).toHaveLength(1);
      expect(nat(cniEnv('DEL', 'ctr-env', netns, { NAT_CNI_HNS: value }), config).status).toBe(0);
    }
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

  it('compiles its core only past VERSION, with the code cache its own node.exe made under Wine', () => {
    // plugin/start.ts: VERSION is the SEA's small main alone; other calls compile the asset core.js,
    // and V8 takes the asset core.cache (it would refuse one made by the Linux node of the same version).
    const version = nat({ CNI_COMMAND: 'VERSION', DEBUG: 'nat-cni:spec' }, '{"cniVersion":"1.0.0"}');
    expect(version.status).toBe(0);
    expect(version.stderr).not.toContain('core code cache');
    const netns = hns.sim(['namespace', 'create']).trim();
    const add = nat(cniEnv('ADD', 'ctr-cache', netns, { DEBUG: 'nat-cni:spec' }), natConfig('natexe', 2));
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect(add.stderr).toContain('core code cache used');
    expect(nat(cniEnv('DEL', 'ctr-cache', netns), natConfig('natexe', 2)).status).toBe(0);
  });

  it('reports errors as an error object with its CNI code and a non-zero exit status', () => {
    const r = nat(
      cniEnv('ADD', 'bad-json', hns.sim(['namespace', 'create']).trim()),
      '{"cniVersion":"1.0.0","name":"nät-€",',
    );
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { code: number }).code).toBe(6);
    const r2 = nat(
      cniEnv('ADD', 'bad-ver', hns.sim(['namespace', 'create']).trim()),
      natConfig('natexe', 1, { cniVersion: '9.9.9' }),
    );
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
    const bad = nat(
      cniEnv('ADD', 'ctr-utf8-2', netns),
      natConfig('natexe', 2, {
        dns: { search: ['bücher.example'] },
        runtimeConfig: { dns: { servers: ['10.0.0.53'], searches: ['bücher.example'] } },
      }),
    );
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
    fs.writeFileSync(
      src,
      [
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
      ].join('\n'),
    );
    const cc = spawnSync('x86_64-w64-mingw32-gcc', ['-O2', '-o', path.join(dirB, 'fixed-ipam.exe'), src], {
      encoding: 'utf8',
    });
    expect(cc.status, cc.stderr).toBe(0);
    const netns = hns.sim(['namespace', 'create']).trim();
    const config = natConfig('delegating', 9, { ipam: { type: 'fixed-ipam', subnet: '172.29.9.0/24' } });
    const cniPath = `${winPath(dirA)};${winPath(dirB)}`;
    const add = nat(cniEnv('ADD', 'ipam-exe', netns, { CNI_PATH: cniPath }), config);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect((JSON.parse(add.stdout) as { ips: { address: string }[] }).ips[0]?.address).toBe('172.29.9.77/24');
    const missing = nat(
      cniEnv('ADD', 'ipam-missing', netns, { CNI_PATH: cniPath }),
      natConfig('delegating2', 10, { ipam: { type: 'no-such-ipam', subnet: '172.29.10.0/24' } }),
    );
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
    const config = natConfig('natexe', 2, {
      runtimeConfig: { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] },
    });
    const add = nat(cniEnv('ADD', 'ctr-ffi-1', netns), config);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    const result = JSON.parse(add.stdout) as { ips: { address: string }[]; interfaces: { sandbox: string }[] };
    expect(result.ips[0]?.address).toMatch(/^172\.29\.2\.\d+\/24$/);
    expect(result.interfaces[0]?.sandbox.toLowerCase()).toBe(netns.toLowerCase());
    const mine = endpoints().filter((e) => (e.Name ?? '').includes('ctr-ffi-1'));
    expect(mine).toHaveLength(1);
    const pm = mine[0]?.Policies?.find((p) => p.Type === 'PortMapping');
    expect(pm?.Settings).toMatchObject({ ExternalPort: 18080, InternalPort: 80 });

    const check = nat(
      cniEnv('CHECK', 'ctr-ffi-1', netns),
      JSON.stringify({ ...JSON.parse(config), prevResult: result }),
    );
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toBe('');

    const del = nat(cniEnv('DEL', 'ctr-ffi-1', netns), config);
    expect(del.status, del.stdout + del.stderr).toBe(0);
    expect(endpoints().filter((e) => (e.Name ?? '').includes('ctr-ffi-1'))).toHaveLength(0);
  });

  it('serialises concurrent ADDs on one new network (named mutex): one network, every endpoint', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        runWineAsync(
          NAT_EXE,
          cniEnv('ADD', `ctr-race-${i}`, hns.sim(['namespace', 'create']).trim()),
          natConfig('natrace', 3),
        ),
      ),
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

  it("loads koffi's addon from a fresh file beside nat.exe each time, and removes earlier ones", () => {
    const koffi = pin('koffi-win');
    const dir = path.join(path.dirname(NAT_EXE), 'nat-cni-native');
    const cycle = (id: string) => {
      const netns = hns.sim(['namespace', 'create']).trim();
      const config = natConfig('natexe', 2);
      const add = nat(cniEnv('ADD', id, netns), config);
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(nat(cniEnv('DEL', id, netns), config).status).toBe(0);
    };
    // A file planted under an addon's name is never loaded (the load would fail): only removed.
    const planted = path.join(
      dir,
      `koffi-${koffi.version}-${koffi.extractSha256?.slice(0, 16)}-1-0123456789abcdef.node`,
    );
    fs.writeFileSync(planted, 'MZ not koffi');
    cycle('ctr-planted');
    expect(fs.existsSync(planted)).toBe(false);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.node'));
    // One per process that ran last; each holds exactly the pinned bytes.
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files.length).toBeLessThanOrEqual(2);
    for (const f of files) expect(sha256(path.join(dir, f))).toBe(koffi.extractSha256);
    fs.rmSync(dir, { recursive: true });
    cycle('ctr-missing');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.node')).length).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Point by point, what Wine lets us prove of the hardening (docs/windows.md, "Security"). Wine keeps
 * the security descriptors of kernel objects as given; for files it reports the Unix owner as the
 * owner and derives the DACL from the mode bits (and maps a DACL it is given back onto them), so
 * owners other than our own account, inheritance and the protected flag cannot be shown on files.
 */
describe('hardening under Wine', () => {
  let natsec: string;
  beforeAll(() => {
    natsec = path.join(scratch, 'natsec.exe');
    const cc = spawnSync(
      'x86_64-w64-mingw32-gcc',
      ['-municode', '-O2', '-o', natsec, path.join(REPO, 'test/exe/fixtures/natsec.c'), '-ladvapi32'],
      { encoding: 'utf8' },
    );
    expect(cc.status, cc.stderr).toBe(0);
  });
  const probe = (args: string[]) => runWine(natsec, args, {});
  const sddl = (winFolder: string) => {
    const r = probe(['sddl', winFolder]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  /** The write rights an ACE for Everyone (WD) grants on a folder, per the SDDL Windows prints. */
  const everyoneMayWrite = (text: string) => /\(A;[A-Z]*;(FA|0x1301ff|0x1201bf|[^;]*W[^;]*);;;WD\)/.test(text);

  it('refuses at once a network mutex another account created first, or left open to others (code 105)', async () => {
    const network = 'natsquat';
    const { networkMutexName } = await import('../../plugin/lock');
    for (const squatSddl of ['D:(A;;GA;;;WD)', 'O:BAD:(A;;GA;;;BA)(A;;GA;;;WD)']) {
      const squatter = runWineAsync(natsec, {}, '', ['squat', networkMutexName(network), squatSddl, '6000']);
      await new Promise((r) => setTimeout(r, 1500));
      const started = Date.now();
      const add = nat(cniEnv('ADD', 'ctr-squat', hns.sim(['namespace', 'create']).trim()), natConfig(network, 11));
      expect(add.status).toBe(1);
      expect(JSON.parse(add.stdout)).toMatchObject({
        code: 105,
        msg: expect.stringContaining(networkMutexName(network)),
      });
      // At once: not after the 60 s lock timeout.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await squatter).stdout).toContain('held');
    }
  }, 60_000);

  it('waits for a holder of the mutex whose descriptor is ours (another nat-cni call)', async () => {
    const network = 'natheld';
    const { networkMutexName } = await import('../../plugin/lock');
    const { MUTEX_SDDL } = await import('../../hns/ffi/sddl');
    const holder = runWineAsync(natsec, {}, '', ['squat', networkMutexName(network), MUTEX_SDDL, '3000']);
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    const add = nat(cniEnv('ADD', 'ctr-held', hns.sim(['namespace', 'create']).trim()), natConfig(network, 12));
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(1_000);
    await holder;
  }, 60_000);

  it('ends a call stuck in HNS under the lock at the bound (code 11); the next call gets the abandoned mutex', () => {
    const config = natConfig('natstuck', 13);
    const first = nat(cniEnv('ADD', 'ctr-stuck-0', hns.sim(['namespace', 'create']).trim()), config);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    // The server answers the next endpoint creation only after 8 s; the plugin's bound is 1.5 s.
    hns.sim(['fault', 'add', '--fn', 'HcnCreateEndpoint', '--nth', '1', '--latency-ms', '8000']);
    try {
      const started = Date.now();
      const stuck = nat(
        cniEnv('ADD', 'ctr-stuck-1', hns.sim(['namespace', 'create']).trim(), { NAT_CNI_LOCK_HOLD_MS: '1500' }),
        config,
      );
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(stuck.status).not.toBe(0);
      expect(JSON.parse(stuck.stdout)).toMatchObject({
        cniVersion: '1.0.0',
        code: 11,
        msg: expect.stringContaining('"natstuck"'),
      });
      const next = nat(cniEnv('ADD', 'ctr-stuck-2', hns.sim(['namespace', 'create']).trim()), config);
      expect(next.status, next.stdout + next.stderr).toBe(0);
    } finally {
      hns.sim(['fault', 'clear']);
    }
  }, 60_000);

  it('rotates a full log at once past a rotation lock whose PID now belongs to another process', async () => {
    const folder = path.join(WINEPREFIX, 'drive_c/ProgramData/nat-cni');
    const log = path.join(folder, 'nat.log');
    // A live Windows process (the probe), then recorded with a start time that is not its own.
    const pidFile = path.join(scratch, 'live.pid');
    // It outlives this test (wineserver -k ends it in afterAll): were it to exit during the ADD,
    // the lock would be freed as a dead owner's and prove nothing.
    void runWineAsync(natsec, {}, '', ['live', winPath(pidFile), '120000']);
    for (let i = 0; i < 200 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    const pid = fs.readFileSync(pidFile, 'utf8').trim();
    expect(pid).toMatch(/^[0-9]+$/);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(log, `${JSON.stringify({ msg: 'x'.repeat(10 * 1024 * 1024) })}\n`);
    fs.rmSync(`${log}.1`, { force: true });
    const lock = path.join(folder, 'nat.log.rotate.lock');
    fs.writeFileSync(lock, `${pid} 1\n`);
    // Dated in the future, so that it never turns stale by age: only the owner check can free it.
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(lock, later, later);
    const netns = hns.sim(['namespace', 'create']).trim();
    const add = nat(cniEnv('ADD', 'ctr-rotate', netns), natConfig('natexe', 2));
    expect(add.status, add.stdout + add.stderr).toBe(0);
    // Rotated, the planted lock gone, the new line in the new file: the PID's start time
    // (GetProcessTimes) told the planted owner from the live process that has that PID now.
    expect(fs.statSync(`${log}.1`).size).toBeGreaterThan(10 * 1024 * 1024);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.readFileSync(log, 'utf8')).toContain('ctr-rotate');
    nat(cniEnv('DEL', 'ctr-rotate', netns), natConfig('natexe', 2));
  }, 60_000);

  it("warns in the log when nat.exe's own folder lets others write (they could replace nat.exe)", () => {
    const exeDir = path.dirname(NAT_EXE);
    const mode = fs.statSync(exeDir).mode & 0o777;
    const log = path.join(WINEPREFIX, 'drive_c/ProgramData/nat-cni/nat.log');
    const netns = hns.sim(['namespace', 'create']).trim();
    const warnings = () =>
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('nat.exe can be replaced by non-administrators'));
    const before = warnings().length;
    fs.chmodSync(exeDir, 0o777); // Wine derives the folder's DACL from the mode: Everyone may write.
    try {
      expect(nat(cniEnv('ADD', 'ctr-openfolder', netns), natConfig('natexe', 2)).status).toBe(0);
    } finally {
      fs.chmodSync(exeDir, mode);
    }
    expect(warnings().length).toBe(before + 1);
    expect(warnings().at(-1)).toContain('S-1-1-0');
    expect(nat(cniEnv('DEL', 'ctr-openfolder', netns), natConfig('natexe', 2)).status).toBe(0);
    expect(warnings().length).toBe(before + 1);
  });

  it('gives nat-cni-native back its protected DACL after someone opened it to Everyone', () => {
    const dir = winPath(path.join(path.dirname(NAT_EXE), 'nat-cni-native'));
    expect(probe(['setdacl', dir, 'D:(A;OICI;FA;;;SY)(A;OICI;FA;;;WD)']).status).toBe(0);
    expect(everyoneMayWrite(sddl(dir))).toBe(true);
    const netns = hns.sim(['namespace', 'create']).trim();
    const add = nat(cniEnv('ADD', 'ctr-rebuilt', netns), natConfig('natexe', 2));
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect(everyoneMayWrite(sddl(dir))).toBe(false);
    nat(cniEnv('DEL', 'ctr-rebuilt', netns), natConfig('natexe', 2));
  });

  it('refuses a nat-cni-native that is a link to elsewhere (code 105), before any HNS call', () => {
    const dir = path.join(path.dirname(NAT_EXE), 'nat-cni-native');
    const elsewhere = path.join(scratch, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.symlinkSync(elsewhere, dir);
    try {
      const add = nat(cniEnv('ADD', 'ctr-link', hns.sim(['namespace', 'create']).trim()), natConfig('natexe', 2));
      expect(add.status).toBe(1);
      expect(JSON.parse(add.stdout)).toMatchObject({ code: 105, msg: expect.stringContaining('reparse point') });
      expect(endpoints().filter((e) => (e.Name ?? '').includes('ctr-link'))).toHaveLength(0);
    } finally {
      fs.rmSync(dir);
    }
  });

  it('creates %ProgramData%\\nat-cni without access for Everyone, and logs there', () => {
    const folder = path.join(WINEPREFIX, 'drive_c/ProgramData/nat-cni');
    fs.rmSync(folder, { recursive: true, force: true });
    const netns = hns.sim(['namespace', 'create']).trim();
    const add = nat(cniEnv('ADD', 'ctr-logdir', netns), natConfig('natexe', 2));
    expect(add.status, add.stdout + add.stderr).toBe(0);
    expect(fs.readFileSync(path.join(folder, 'nat.log'), 'utf8')).toContain('ctr-logdir');
    expect(sddl('C:\\ProgramData\\nat-cni')).not.toContain(';;;WD)');
    nat(cniEnv('DEL', 'ctr-logdir', netns), natConfig('natexe', 2));
  });
});

describe('peers under Wine', () => {
  it('libcni (Windows build) drives nat.exe: ADD with a port mapping, CHECK, DEL, private cache', () => {
    const pluginDir = path.join(scratch, 'plugins');
    fs.mkdirSync(pluginDir, { recursive: true });
    fs.copyFileSync(NAT_EXE, path.join(pluginDir, 'nat.exe'));
    const conflist = JSON.parse(
      fs.readFileSync(path.join(REPO, 'test/fixtures/configs/nerdctl/nerdctl-nat.conflist'), 'utf8'),
    ) as {
      plugins: Record<string, unknown>[];
    };
    conflist.plugins[0] = { ...conflist.plugins[0], capabilities: { portMappings: true } };
    const confFile = path.join(scratch, 'nerdctl-nat.conflist');
    fs.writeFileSync(confFile, JSON.stringify(conflist));
    const cache = path.join(scratch, 'libcni-cache');
    const netns = hns.sim(['namespace', 'create']).trim();
    const capabilityArgs = JSON.stringify({
      portMappings: [{ hostPort: 18081, containerPort: 8080, protocol: 'tcp' }],
    });
    const driver = (steps: string) => {
      const r = runWine(
        LIBCNI_DRIVER_EXE,
        [
          steps,
          '--conflist',
          winPath(confFile),
          '--plugin-dir',
          winPath(pluginDir),
          '--cache-dir',
          winPath(cache),
          '--netns',
          netns,
          '--container-id',
          'libcni-ctr-1',
          '--capability-args',
          capabilityArgs,
        ],
        { NAT_CNI_HNS_SIM_ADDR: hns.addr },
        '',
        120_000,
      );
      stderrSeen.push(r.stderr);
      const out = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { step: string; ok: boolean; result?: { ips?: { address: string }[] } });
      return { ...r, steps: out, verdicts: out.map((s) => `${s.step}:${s.ok}`) };
    };
    const up = driver('add,cached,check');
    expect(up.verdicts, up.stdout + up.stderr).toEqual(['add:true', 'cached:true', 'check:true']);
    expect(up.status).toBe(0);
    expect(up.steps[0]?.result?.ips?.[0]?.address).toMatch(/^10\.4\.0\.\d+\/24$/);
    // The capability reached HNS: the endpoint carries the PortMapping policy.
    const mine = endpoints().filter((e) => (e.Name ?? '').includes('libcni-ctr-1'));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.Policies?.find((p) => p.Type === 'PortMapping')?.Settings).toMatchObject({
      ExternalPort: 18081,
      InternalPort: 8080,
    });
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

interface Report {
  cases: { id: string; status: string; step?: string; got?: string }[];
}

function conformance(plugin: string, library: string, mode: string): Report {
  const report = path.join(scratch, `report-${path.basename(plugin)}-${mode}.json`);
  const r = spawnSync(
    'node',
    [
      CONFORMANCE,
      '--plugin',
      plugin,
      '--profile',
      'nat',
      '--mode',
      mode,
      '--hns-ffi',
      library,
      '--versions',
      '1.0.0,1.1.0',
      '--only',
      CONFORMANCE_CASES,
      '--report',
      report,
      '--jobs',
      '2',
      '--parallel',
      '4',
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
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
    for (const id of MUST_PASS)
      expect(verdicts(onWine)[id], JSON.stringify(onWine.cases.find((c) => c.id === id))).toBe('PASS');
    stderrSeen.push(fs.existsSync(stderrLog) ? fs.readFileSync(stderrLog, 'utf8') : '');
  }, 900_000);
});

describe('install, doctor and uninstall', () => {
  installDoctorCases({
    run: (args) => nat({ NAT_CNI_HNS_SIM_ADDR: hns.addr }, '', args),
    stateDir: () => hns.stateDir,
    scratch: () => scratch,
  });
});

describe('the FFI smoke check', () => {
  it('the fake computenetwork.dll saw no odd argument in any call of this file', () => {
    expect(stderrSeen.length).toBeGreaterThan(10);
    expect(stderrSeen.flatMap(fakeDllComplaints)).toEqual([]);
  });
});
