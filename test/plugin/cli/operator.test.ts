/**
 * The operator commands as a user runs them: dist/nat (the same code as nat.exe) as a process with a
 * command line, the CNI folders and the simulator's state folder given explicitly. HNS state is set up
 * through the simulator's api on the same folder, and by running the plugin's own ADD.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createNetwork, deleteNamespace, findNetworkByName } from '../../../hns/client';
import { createSimApi } from '../../../hns/sim/api';
import { parseNatConfig } from '../../../plugin/config';
import { parseIp, subnetContains } from '../../../plugin/subnet';
import { NAT, REPO, SimHost, buildPluginAndSim, natConfig } from '../process/harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const FIXTURES = path.join(REPO, 'test/fixtures/configs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

class Setup {
  readonly host = new SimHost();
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ops-'));
  readonly bin = path.join(this.root, 'cni', 'bin');
  readonly conf = path.join(this.root, 'cni', 'conf');
  readonly log = path.join(this.root, 'nat.log');

  nat(...args: string[]): Run {
    const r = spawnSync(NAT, args, {
      env: { PATH: process.env.PATH, NAT_CNI_HNS: `sim:${this.host.stateDir}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  install(...extra: string[]): Run {
    return this.nat('install', '--bin-dir', this.bin, '--conf-dir', this.conf, ...extra);
  }

  doctor(...extra: string[]): Run {
    return this.nat('doctor', '--bin-dir', this.bin, '--conf-dir', this.conf, '--log-file', this.log, ...extra);
  }

  doctorJson(...extra: string[]): { code: number | null; report: DoctorReport } {
    const r = this.doctor('--json', ...extra);
    return { code: r.code, report: JSON.parse(r.stdout) as DoctorReport };
  }

  /** A NAT network in HNS, as Docker or an earlier runtime left it. */
  network(name: string, subnet: string, gateway: string): string {
    const api = createSimApi(this.host.stateDir);
    try {
      const n = createNetwork(api, {
        Name: name,
        Type: 'NAT',
        Ipams: [
          {
            Type: 'Static',
            Subnets: [
              { IpAddressPrefix: subnet, Routes: [{ NextHop: gateway, DestinationPrefix: '0.0.0.0/0' }], Flags: 0 },
            ],
          },
        ],
      });
      return n.ID as string;
    } finally {
      api.dispose();
    }
  }

  confFile(name: string): string {
    return path.join(this.conf, name);
  }

  tree(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(this.root, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    if (fs.existsSync(this.root)) walk(this.root);
    return out;
  }

  remove(): void {
    this.host.remove();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

interface DoctorReport {
  ok: boolean;
  problems: number;
  checks: { id: string; mark: string; title: string; details: string[]; fix?: string }[];
  fixed: string[];
}

const checkOf = (r: DoctorReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  expect(c, `check ${id} in ${JSON.stringify(r.checks.map((x) => x.id))}`).toBeDefined();
  return c as DoctorReport['checks'][number];
};

let s: Setup;
const fresh = () => (s = new Setup());
afterEach(() => s?.remove());

describe('--help and the command line', () => {
  it('nat --help lists the commands; each command has its own help', () => {
    fresh();
    for (const help of [['--help'], ['/?'], ['help'], ['-h']]) {
      const r = s.nat(...help);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage:\n {2}nat\.exe <command> \[options\]/);
      for (const c of ['install', 'uninstall', 'doctor']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    for (const c of ['install', 'uninstall', 'doctor']) {
      for (const r of [s.nat(c, '--help'), s.nat('help', c)]) {
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`nat.exe ${c} [options]`);
        expect(r.stdout).toContain(c === 'doctor' ? '--fix' : '--dry-run');
      }
    }
  });

  it('an unknown command, option or value is exit code 2 with a clear message, and changes nothing', () => {
    fresh();
    const cases: [string[], RegExp][] = [
      [['instal'], /unknown command "instal"/],
      [['--frobnicate'], /unknown option "--frobnicate"/],
      [['install', '--bin-dir', s.bin, '--conf-dir', s.conf, '--subnett', '10.0.0.0/24'], /unknown option --subnett/],
      [['install', '--bin-dir'], /--bin-dir needs a value/],
      [
        ['install', '--bin-dir', s.bin, '--conf-dir', s.conf, '--runtime', 'docker'],
        /--runtime must be one of containerd, nerdctl/,
      ],
      [['doctor', 'now'], /unexpected argument "now"/],
      [
        ['install', '--bin-dir', s.bin, '--conf-dir', s.conf, '--name', '../evil'],
        /--name "\.\.\/evil" is not a CNI network name/,
      ],
      [['help', 'fly'], /unknown command "fly"/],
    ];
    for (const [args, message] of cases) {
      const r = s.nat(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(fs.existsSync(s.bin)).toBe(false);
  });

  it('with no arguments it is still the CNI plugin', () => {
    fresh();
    const r = s.host.run({ command: 'VERSION', config: { cniVersion: '1.0.0' } });
    expect(r.code).toBe(0);
    expect(r.json?.supportedVersions).toContain('1.1.0');
  });
});

describe('install', () => {
  it('into fresh folders: the plugin, a conflist with capabilities, the record; doctor is clean; a second run changes nothing', () => {
    fresh();
    const r = s.install();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created folder .*cni[/\\]bin$/m);
    expect(r.stdout).toMatch(/Restart-Service containerd/);
    expect(r.stdout).toMatch(/nerdctl run -d -p 8080:80 /);
    expect(fs.readFileSync(path.join(s.bin, 'nat'))).toEqual(fs.readFileSync(NAT));
    const conf = JSON.parse(fs.readFileSync(s.confFile('0-containerd-nat.conflist'), 'utf8')) as {
      cniVersion: string;
      name: string;
      plugins: Record<string, unknown>[];
    };
    expect(conf).toMatchObject({
      cniVersion: '1.0.0',
      name: 'nat',
      plugins: [{ type: 'nat', capabilities: { portMappings: true, dns: true } }],
    });
    const parsed = parseNatConfig({ ...conf.plugins[0], name: conf.name, cniVersion: conf.cniVersion });
    expect(parsed.warnings).toEqual([]);
    const subnet = parsed.subnets[0];
    expect(subnet?.prefixLength).toBe(20);
    // No adapter address of this host is inside the chosen subnet.
    for (const addrs of Object.values(os.networkInterfaces())) {
      for (const a of addrs ?? []) {
        const ip = parseIp(a.address);
        if (ip.ok && subnet) expect(subnetContains(subnet, ip.value), a.address).toBe(false);
      }
    }

    const before = s.tree();
    const again = s.install();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(s.tree()).toEqual(before);

    const d = s.doctorJson();
    expect(d.report.checks.filter((c) => c.mark === 'warn' || c.mark === 'fail')).toEqual([]);
    expect(d).toMatchObject({ code: 0, report: { ok: true, problems: 0 } });
    expect(checkOf(d.report, 'binary').mark).toBe('ok');
    expect(checkOf(d.report, 'config:0-containerd-nat.conflist').mark).toBe('ok');
  });

  it("finds the folders in containerd's config.toml (2.x: io.containerd.cri.v1.runtime, bin_dirs)", () => {
    fresh();
    const toml = path.join(s.root, 'config.toml');
    const bin = path.join(s.root, 'elsewhere', 'bin');
    const conf = path.join(s.root, 'elsewhere', 'conf');
    fs.writeFileSync(
      toml,
      `version = 3\n[plugins.'io.containerd.cri.v1.runtime'.cni]\n  bin_dirs = ['${bin}']\n  conf_dir = "${conf}"\n`,
    );
    const r = s.nat('install', '--config-toml', toml);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`bin folder   ${bin} (${toml} [plugins."io.containerd.cri.v1.runtime".cni])`);
    expect(fs.existsSync(path.join(bin, 'nat'))).toBe(true);
    expect(fs.existsSync(path.join(conf, '0-containerd-nat.conflist'))).toBe(true);
    expect(s.nat('uninstall', '--config-toml', toml).code).toBe(0);
    expect(fs.existsSync(path.join(s.root, 'elsewhere'))).toBe(false);
  });

  it('--dry-run prints every file and change and writes nothing', () => {
    fresh();
    const r = s.install('--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^would create folder .*bin$/m);
    expect(r.stdout).toMatch(/^would write .*0-containerd-nat\.conflist/m);
    expect(r.stdout).toMatch(/^would write .*nat-cni-install\.json/m);
    expect(r.stdout).toContain('"portMappings": true');
    expect(s.tree()).toEqual({});
    expect(fs.existsSync(s.bin)).toBe(false);
  });

  it('takes the subnet and gateway of an existing HNS network of that name', () => {
    fresh();
    s.network('nat', '172.20.48.0/20', '172.20.48.1');
    expect(s.install().code).toBe(0);
    const conf = JSON.parse(fs.readFileSync(s.confFile('0-containerd-nat.conflist'), 'utf8')) as {
      plugins: { ipam: unknown }[];
    };
    expect(conf.plugins[0]?.ipam).toEqual({ subnet: '172.20.48.0/20', routes: [{ gateway: '172.20.48.1' }] });
    expect(s.doctorJson().report.checks.find((c) => c.id === 'network:nat')?.mark).toBe('ok');
  });

  it('picks a range that overlaps no existing HNS network', () => {
    fresh();
    s.network('first', '172.16.0.0/20', '172.16.0.1');
    s.network('second', '172.16.16.0/20', '172.16.16.1');
    expect(s.install('--name', 'third').code).toBe(0);
    const conf = JSON.parse(fs.readFileSync(s.confFile('0-containerd-third.conflist'), 'utf8')) as {
      plugins: { ipam: { subnet: string } }[];
    };
    expect(conf.plugins[0]?.ipam.subnet).not.toMatch(/^172\.16\.(0|16)\.0\/20$/);
  });

  it("--subnet and --gateway are checked with the plugin's rules", () => {
    fresh();
    const bad: [string[], RegExp][] = [
      [['--subnet', '10.1.0.0/33'], /prefix length 33/],
      [['--subnet', '172.20.48.0/12'], /host bits set; the network is 172\.16\.0\.0\/12/],
      [['--subnet', '10.1.0.0/24', '--gateway', '10.2.0.1'], /10\.2\.0\.1 is outside subnet 10\.1\.0\.0\/24/],
      [['--gateway', '10.2.0.1'], /--gateway needs --subnet/],
    ];
    for (const [args, message] of bad) {
      const r = s.install(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    }
    expect(s.tree()).toEqual({});
    const ok = s.install(
      '--subnet',
      '10.1.0.0/24',
      '--gateway',
      '10.1.0.254',
      '--cni-version',
      '1.1.0',
      '--runtime',
      'nerdctl',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('Restart-Service');
    const conf = JSON.parse(fs.readFileSync(s.confFile('nerdctl-nat.conflist'), 'utf8')) as Record<string, unknown>;
    expect(conf).toMatchObject({
      cniVersion: '1.1.0',
      nerdctlLabels: { 'nerdctl/default-network': 'true' },
      plugins: [{ ipam: { subnet: '10.1.0.0/24', routes: [{ gateway: '10.1.0.254' }] } }],
    });
  });

  it('keeps a foreign nat as nat.go, and uninstall puts it back and removes only what install made', () => {
    fresh();
    fs.mkdirSync(s.bin, { recursive: true });
    fs.writeFileSync(path.join(s.bin, 'nat'), 'the Go plugin');
    fs.writeFileSync(path.join(s.bin, 'host-local'), 'another plugin');
    const d0 = s.doctorJson();
    expect(checkOf(d0.report, 'binary')).toMatchObject({
      mark: 'warn',
      fix: expect.stringContaining('nat.exe install'),
    });
    const r = s.install();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/moved .*bin[/\\]nat -> .*bin[/\\]nat\.go/);
    expect(fs.readFileSync(path.join(s.bin, 'nat.go'), 'utf8')).toBe('the Go plugin');

    const u = s.nat('uninstall', '--bin-dir', s.bin);
    expect(u.code, u.stderr).toBe(0);
    expect(s.tree()).toEqual({ 'cni/bin/nat': 'the Go plugin', 'cni/bin/host-local': 'another plugin' });
    // The conf folder was install's own and is empty again: gone; the bin folder was there before.
    expect(fs.existsSync(s.conf)).toBe(false);
  });

  it('uninstall leaves a file that changed after install, and what it replaced stays aside', () => {
    fresh();
    expect(s.install().code).toBe(0);
    fs.appendFileSync(s.confFile('0-containerd-nat.conflist'), ' ');
    const dry = s.nat('uninstall', '--bin-dir', s.bin, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would remove .*bin[/\\]nat$/m);
    const before = s.tree();
    expect(Object.keys(before).length).toBe(3);
    const u = s.nat('uninstall', '--bin-dir', s.bin);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/kept .*0-containerd-nat\.conflist: it changed after install/);
    expect(Object.keys(s.tree())).toEqual(['cni/conf/0-containerd-nat.conflist']);
    expect(s.nat('uninstall', '--bin-dir', s.bin).code).toBe(1);
  });

  it('refuses to replace a different configuration of the network without --force, then keeps it as a backup', () => {
    fresh();
    fs.mkdirSync(s.conf, { recursive: true });
    const theirs = fs.readFileSync(path.join(FIXTURES, 'containerd/0-containerd-nat.conf'), 'utf8');
    fs.writeFileSync(s.confFile('0-containerd-nat.conf'), theirs);
    s.network('nat', '172.20.48.0/20', '172.20.48.1');

    const refused = s.install();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/0-containerd-nat\.conf also defines the network "nat"/);
    expect(refused.stderr).toMatch(/nothing was changed; run again with --force/);
    expect(s.tree()).toEqual({ 'cni/conf/0-containerd-nat.conf': theirs });

    const forced = s.install('--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.readFileSync(s.confFile('0-containerd-nat.conf.nat-cni-backup'), 'utf8')).toBe(theirs);
    expect(fs.existsSync(s.confFile('0-containerd-nat.conf'))).toBe(false);
    expect(s.doctorJson().code).toBe(0);

    expect(s.nat('uninstall', '--bin-dir', s.bin).code).toBe(0);
    expect(s.tree()).toEqual({ 'cni/conf/0-containerd-nat.conf': theirs });
  });
});

describe('doctor', () => {
  /** A conf folder holding one file, with the nat network of a /20 host in HNS, and this nat installed. */
  const broken = (file: string, text: string) => {
    fresh();
    s.network('nat', '172.20.48.0/20', '172.20.48.1');
    expect(s.install('--dry-run').code).toBe(0);
    fs.mkdirSync(s.conf, { recursive: true });
    fs.mkdirSync(s.bin, { recursive: true });
    fs.copyFileSync(NAT, path.join(s.bin, 'nat'));
    fs.writeFileSync(s.confFile(file), text);
    return s.doctorJson();
  };

  it("explains containerd's install-cni-windows config: the /12 for a /20, master naming no adapter, the network mismatch", () => {
    const { code, report } = broken(
      '0-containerd-nat.conf',
      fs.readFileSync(path.join(FIXTURES, 'containerd/0-containerd-nat.conf'), 'utf8'),
    );
    expect(code).toBe(1);
    const c = checkOf(report, 'config:0-containerd-nat.conf');
    expect(c.mark).toBe('warn');
    const text = c.details.join('\n');
    expect(text).toMatch(
      /the plugin warns: ipam\.subnet "172\.20\.48\.0\/12" has host bits set, which HNS refuses \(0x803B000A\); using network 172\.16\.0\.0\/12/,
    );
    expect(text).toMatch(/install-cni-windows.*most likely 172\.20\.48\.0\/20/);
    expect(text).toMatch(/"master": "Ethernet" names no network adapter of this host/);
    expect(c.fix).toMatch(/nat\.exe install --force/);
    const n = checkOf(report, 'network:nat');
    expect(n.mark).toBe('warn');
    expect(n.details.join('\n')).toMatch(/172\.16\.0\.0\/12/);
    expect(n.details.join('\n')).toMatch(/172\.20\.48\.0\/20/);
  });

  it("explains nerdctl's default network: no capabilities, so -p is dropped (nerdctl#5157)", () => {
    const { code, report } = broken(
      'nerdctl-nat.conflist',
      fs.readFileSync(path.join(FIXTURES, 'nerdctl/nerdctl-nat.conflist'), 'utf8'),
    );
    expect(code).toBe(1);
    const c = checkOf(report, 'config:nerdctl-nat.conflist');
    expect(c.details.join('\n')).toMatch(/portMappings.*-p 8080:80.*dropped \(nerdctl#5157\)/);
  });

  it('refuses what the plugin refuses: a gateway outside the subnet, a cniVersion that is no spec version, broken JSON', () => {
    const outside = broken(
      'nat.conf',
      JSON.stringify(natConfig('1.0.0', { ipam: { subnet: '172.20.48.0/20', routes: [{ gateway: '172.21.0.1' }] } })),
    );
    const c = checkOf(outside.report, 'config:nat.conf');
    expect(c.mark).toBe('fail');
    expect(c.details.join('\n')).toMatch(
      /the plugin refuses it: ipam\.routes\[0\]\.gateway: 172\.21\.0\.1 is outside subnet 172\.20\.48\.0\/20/,
    );
    s.remove();

    const version = broken('nat.conf', JSON.stringify(natConfig('1.0', { ipam: { subnet: '172.20.48.0/20' } })));
    expect(checkOf(version.report, 'config:nat.conf').details.join('\n')).toMatch(
      /cniVersion "1\.0" is not a CNI spec version: incompatible CNI versions/,
    );
    s.remove();

    const json = broken('nat.conflist', '{"cniVersion": "1.0.0", ');
    expect(checkOf(json.report, 'config:nat.conflist')).toMatchObject({
      mark: 'fail',
      details: [expect.stringMatching(/not valid JSON/), expect.any(String)],
    });
  });

  it('finds leaked endpoints (no namespace, or one that is gone), and --fix removes only those', () => {
    fresh();
    expect(s.install('--subnet', '172.30.0.0/24').code).toBe(0);
    const conf = JSON.parse(fs.readFileSync(s.confFile('0-containerd-nat.conflist'), 'utf8')) as {
      plugins: Record<string, unknown>[];
    };
    const config = { ...conf.plugins[0], name: 'nat', cniVersion: '1.0.0' };
    const live = s.host.createNamespace();
    const gone = s.host.createNamespace();
    for (const [id, netns] of [
      ['alive', live],
      ['orphan', gone],
    ] as const) {
      const add = s.host.run({ command: 'ADD', containerId: id, netns, ifName: 'eth0', config });
      expect(add.code, add.stdout).toBe(0);
    }
    const api = createSimApi(s.host.stateDir);
    try {
      deleteNamespace(api, gone);
      const net = findNetworkByName(api, 'nat');
      createEndpoint(api, net?.ID as string, { Name: 'unattached_nat' });
      createEndpoint(api, net?.ID as string, { Name: 'someone-elses-endpoint' });
    } finally {
      api.dispose();
    }
    const before = s.doctorJson();
    expect(before.code).toBe(1);
    const leaked = checkOf(before.report, 'endpoints:nat');
    expect(leaked).toMatchObject({ mark: 'warn', fix: 'nat.exe doctor --fix' });
    expect(leaked.details.map((d) => d.split(' ')[0]).sort()).toEqual(['orphan_nat', 'unattached_nat']);

    const fixed = s.doctorJson('--fix');
    expect(fixed.report.fixed).toHaveLength(2);
    expect(fixed.code).toBe(0);
    const names = s.host
      .dump()
      .endpoints.map((e) => e.Name)
      .sort();
    expect(names).toEqual(['alive_nat', 'someone-elses-endpoint']);
    expect(checkOf(s.doctorJson().report, 'endpoints:nat').mark).toBe('ok');
  });

  it('says which features a config needs that this HNS lacks, and refuses a network of another type', () => {
    fresh();
    expect(s.install('--subnet', '172.30.0.0/24').code).toBe(0);
    fs.writeFileSync(
      s.confFile('1-dual.conf'),
      JSON.stringify(
        natConfig('1.0.0', {
          name: 'dual',
          ipam: { ranges: [[{ subnet: '172.31.0.0/24' }], [{ subnet: 'fd00:1::/64' }]] },
        }),
      ),
    );
    s.host.sim('settings', 'set', 'hnsVersion', '10.1');
    const api = createSimApi(s.host.stateDir);
    try {
      createNetwork(api, { Name: 'nat', Type: 'Transparent', Ipams: [] });
    } finally {
      api.dispose();
    }
    const { code, report } = s.doctorJson();
    expect(code).toBe(1);
    expect(checkOf(report, 'hns').title).toMatch(/version 10\.1 \(without .*ipv6DualStack/);
    expect(checkOf(report, 'features:dual')).toMatchObject({
      mark: 'fail',
      details: [
        expect.stringMatching(/IPv6 subnet .* needs the HNS feature ipv6DualStack, which HNS 10\.1 does not have/),
      ],
    });
    expect(checkOf(report, 'network:nat')).toMatchObject({
      mark: 'fail',
      title: expect.stringMatching(/type Transparent, not NAT/),
    });
  });

  it('says where the log is and shows its last errors', () => {
    fresh();
    expect(s.install().code).toBe(0);
    fs.writeFileSync(
      s.log,
      [
        { time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'ADD ok' },
        { time: '2026-01-01T00:00:01.000Z', level: 'error', msg: 'ADD failed', error: 'HNS said no' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const log = checkOf(s.doctorJson().report, 'log');
    expect(log.title).toContain(s.log);
    expect(log.details).toEqual(['2026-01-01T00:00:01.000Z ADD failed: HNS said no']);
  });

  it('reports missing folders and an HNS that does not answer, with the fix; text output has a mark per line', () => {
    fresh();
    const r = s.nat('doctor', '--bin-dir', s.bin, '--conf-dir', s.conf, '--log-file', s.log, '--ascii');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\[FAIL\] CNI bin folder .* does not exist$/m);
    expect(r.stdout).toMatch(/^ {7}fix: nat\.exe install$/m);
    expect(r.stdout).toMatch(/^\[SKIP\] elevated: not checked/m);
    const noHns = spawnSync(NAT, ['doctor', '--bin-dir', s.bin, '--conf-dir', s.conf, '--json'], {
      env: { PATH: process.env.PATH, NAT_CNI_HNS: `ffi:${path.join(s.root, 'no-such-library.so')}` },
      encoding: 'utf8',
    });
    expect(noHns.status).toBe(1);
    const hns = (JSON.parse(noHns.stdout) as DoctorReport).checks.find((c) => c.id === 'hns');
    expect(hns).toMatchObject({ mark: 'fail', fix: expect.stringContaining('Start-Service hns') });
  });
});
