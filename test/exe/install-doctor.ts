/**
 * install, doctor and uninstall as nat.exe runs them on Windows: registered by nat-exe.test.ts inside
 * its own run (one wineserver per prefix; a second test file would start a second one on the same
 * prefix). The HNS behind the fake computenetwork.dll is that file's `hns-sim serve`; the state is set up
 * through the simulator's api on its state folder. Network names here (`natops`) are used nowhere else.
 *
 * On Windows install creates its folders through the folder hardening (hns/ffi/security.ts), and doctor
 * reads their protection from it: the fresh install lets nat.exe create them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createEndpoint, createNetwork } from '../../hns/client';
import { createSimApi } from '../../hns/sim/api';
import { NAT_EXE, REPO, winPath, type WineRun } from './wine';

export interface InstallDoctorContext {
  /** nat.exe under Wine with the HNS environment of the calling file. */
  run(args: string[]): WineRun;
  stateDir(): string;
  scratch(): string;
}

interface Report {
  ok: boolean;
  checks: { id: string; mark: string; title: string; details: string[] }[];
}

const problems = (r: Report) => r.checks.filter((c) => c.mark === 'warn' || c.mark === 'fail');

export function installDoctorCases(ctx: InstallDoctorContext): void {
  const folders = (name: string, create = true) => {
    const root = fs.mkdtempSync(path.join(ctx.scratch(), `${name}-`));
    const bin = path.join(root, 'bin');
    const conf = path.join(root, 'conf');
    if (create) {
      fs.mkdirSync(bin);
      fs.mkdirSync(conf);
    }
    return { root, bin, conf, flags: ['--bin-dir', winPath(bin), '--conf-dir', winPath(conf)] };
  };
  const doctor = (flags: string[], ...extra: string[]) => {
    const r = ctx.run([
      'doctor',
      ...flags,
      '--log-file',
      winPath(path.join(ctx.scratch(), 'ops.log')),
      '--json',
      ...extra,
    ]);
    return { status: r.status, report: JSON.parse(r.stdout) as Report };
  };

  it('install into fresh folders copies nat.exe itself and writes the conflist; doctor finds nothing else wrong', () => {
    const f = folders('fresh', false);
    const r = ctx.run(['install', ...f.flags, '--name', 'natops', '--subnet', '172.27.0.0/24']);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(f.bin, 'nat.exe')).equals(fs.readFileSync(NAT_EXE))).toBe(true);
    const conf = JSON.parse(fs.readFileSync(path.join(f.conf, '0-containerd-natops.conflist'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(conf).toMatchObject({
      name: 'natops',
      plugins: [{ type: 'nat', capabilities: { portMappings: true, dns: true }, ipam: { subnet: '172.27.0.0/24' } }],
    });
    const d = doctor(f.flags);
    expect(d.report.checks.find((c) => c.id === 'elevated')?.mark).toBe('ok');
    expect(d.report.checks.find((c) => c.id === 'hns')?.mark).toBe('ok');
    expect(problems(d.report)).toEqual([]);
    expect(ctx.run(['uninstall', '--bin-dir', winPath(f.bin)]).status).toBe(0);
    // The folders install created go with it (they are empty again).
    expect([fs.existsSync(f.bin), fs.existsSync(f.conf)]).toEqual([false, false]);
  });

  it("doctor explains a broken host (the installer's /12, a foreign nat.exe, a leaked endpoint); install --force, --fix and uninstall", () => {
    const f = folders('broken');
    const installer = fs
      .readFileSync(path.join(REPO, 'test/fixtures/configs/containerd/0-containerd-nat.conf'), 'utf8')
      .replace('"name": "nat"', '"name": "natops"');
    fs.writeFileSync(path.join(f.conf, '0-containerd-nat.conf'), installer);
    fs.writeFileSync(path.join(f.bin, 'nat.exe'), 'MZ the Go plugin');
    const api = createSimApi(ctx.stateDir());
    try {
      const net = createNetwork(api, {
        Name: 'natops',
        Type: 'NAT',
        Ipams: [
          {
            Type: 'Static',
            Subnets: [
              {
                IpAddressPrefix: '172.20.48.0/20',
                Routes: [{ NextHop: '172.20.48.1', DestinationPrefix: '0.0.0.0/0' }],
                Flags: 0,
              },
            ],
          },
        ],
      });
      createEndpoint(api, net.ID as string, { Name: '0badc0ffee_natops' });
    } finally {
      api.dispose();
    }

    const broken = doctor(f.flags);
    expect(broken.status).toBe(1);
    const mark = (id: string) => broken.report.checks.find((c) => c.id === id);
    expect(mark('binary')?.mark).toBe('warn');
    expect(mark('config:0-containerd-nat.conf')?.details.join('\n')).toMatch(/install-cni-windows.*172\.20\.48\.0\/20/);
    expect(mark('network:natops')?.mark).toBe('warn');
    expect(mark('endpoints:natops')?.details.join('\n')).toMatch(/^0badc0ffee_natops .*attached to no namespace/);

    const install = ctx.run(['install', ...f.flags, '--name', 'natops', '--force']);
    expect(install.status, install.stderr).toBe(0);
    expect(fs.readFileSync(path.join(f.bin, 'nat.exe.go'), 'utf8')).toBe('MZ the Go plugin');
    const fixed = doctor(f.flags, '--fix');
    expect(fixed.report.checks.find((c) => c.id === 'endpoints:natops')?.title).toMatch(/removed 1 leaked endpoint/);
    expect(problems(fixed.report)).toEqual([]);

    expect(ctx.run(['uninstall', '--bin-dir', winPath(f.bin)]).status).toBe(0);
    expect(fs.readFileSync(path.join(f.bin, 'nat.exe'), 'utf8')).toBe('MZ the Go plugin');
    expect(fs.readFileSync(path.join(f.conf, '0-containerd-nat.conf'), 'utf8')).toBe(installer);
    expect([...fs.readdirSync(f.bin), ...fs.readdirSync(f.conf)].sort()).toEqual(['0-containerd-nat.conf', 'nat.exe']);
  });

  it('--help, and an unknown command is exit code 2', () => {
    expect(ctx.run(['--help']).stdout).toMatch(/nat\.exe <command> \[options\]/);
    const bad = ctx.run(['instal']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "instal"/);
  });
}
