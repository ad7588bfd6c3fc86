/**
 * The nat plugin as a runtime drives it: dist/nat as a separate process per call, against the
 * simulator. ADD, CHECK, DEL (and GC, STATUS) in every spec version, and what HNS holds after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_VERSIONS } from '../../../spec/versions';
import { spawnSync } from 'node:child_process';
import { NAT, SimHost, buildPluginAndSim, natConfig, type Answer } from './harness';

const VERSIONS_WITH_CHECK = ALL_VERSIONS.filter((v) => !['0.1.0', '0.2.0', '0.3.0', '0.3.1'].includes(v));

beforeAll(() => buildPluginAndSim(), 120_000);

/** Success as a runtime sees it: exit 0, and never a stack trace on stdout. */
const ok = (a: Answer) => {
  expect(a.stdout).not.toMatch(/\n\s+at /);
  expect({ code: a.code, stdout: a.stdout }).toMatchObject({ code: 0 });
};

describe.each(ALL_VERSIONS)('cniVersion %s', (version) => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it('ADD attaches an endpoint with a port mapping, CHECK passes, DEL removes it', () => {
    const netns = host.createNamespace();
    const id = `ctr-${version.replace(/\./g, '')}`;
    const config = natConfig(version, {
      runtimeConfig: { portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '' }] },
    });
    const add = host.run({ command: 'ADD', containerId: id, netns, ifName: 'eth0', config });
    ok(add);
    const result = add.json as Record<string, unknown>;
    expect(result.cniVersion).toBe(version);

    const dump = host.dump();
    const ep = dump.endpoints.find((e) => e.Name === `${id}_nat`);
    expect(ep).toBeDefined();
    expect(ep?.HostComputeNamespace?.toLowerCase()).toBe(netns.toLowerCase());
    expect(ep?.Policies?.find((p) => p.Type === 'PortMapping')?.Settings).toMatchObject({
      Protocol: 6,
      InternalPort: 80,
      ExternalPort: 8080,
    });
    const address = ep?.IpConfigurations?.[0]?.IpAddress as string;
    expect(address).toMatch(/^172\.20\./);

    if (version === '0.1.0' || version === '0.2.0') {
      expect(result.ip4).toEqual({
        ip: `${address}/16`,
        gateway: '172.20.0.1',
        routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }],
      });
    } else {
      const mac = (ep?.MacAddress as string).replace(/-/g, ':').toLowerCase();
      expect(result.interfaces).toEqual([{ name: 'eth0', mac, sandbox: netns }]);
      expect((result.ips as unknown[])[0]).toMatchObject({
        address: `${address}/16`,
        gateway: '172.20.0.1',
        interface: 0,
      });
    }

    if (VERSIONS_WITH_CHECK.includes(version)) {
      const check = host.run({
        command: 'CHECK',
        containerId: id,
        netns,
        ifName: 'eth0',
        config: { ...config, prevResult: result },
      });
      ok(check);
      expect(check.stdout.trim()).toBe('');
    }

    const del = host.run({
      command: 'DEL',
      containerId: id,
      netns,
      ifName: 'eth0',
      config: { ...config, prevResult: result },
    });
    ok(del);
    expect(del.stdout.trim()).toBe('');
    expect(host.dump().endpoints.find((e) => e.Name === `${id}_nat`)).toBeUndefined();
    // Networks are shared and never deleted.
    expect(host.dump().networks.map((n) => n.Name)).toContain('nat');
  });

  it.runIf(version === '1.1.0')('STATUS answers ready, GC removes endpoints of containers that are gone', () => {
    const config = natConfig(version);
    ok(host.run({ command: 'STATUS', config }));
    const netns = host.createNamespace();
    for (const id of ['keep', 'stale1', 'stale2'])
      ok(
        host.run({
          command: 'ADD',
          containerId: id,
          netns: id === 'keep' ? netns : host.createNamespace(),
          ifName: 'eth0',
          config,
        }),
      );
    const gc = host.run({
      command: 'GC',
      config: { ...config, 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] },
    });
    ok(gc);
    const names = host
      .dump()
      .endpoints.map((e) => e.Name)
      .sort();
    expect(names).toEqual(['keep_nat']);
  });

  it.runIf(!['1.1.0'].includes(version))('refuses GC and STATUS below 1.1.0 with code 1', () => {
    for (const command of ['GC', 'STATUS']) {
      const a = host.run({ command, config: natConfig(version) });
      expect(a.code).not.toBe(0);
      expect(a.json?.code).toBe(1);
    }
  });
});

describe('as a command-line tool', () => {
  it('prints its about text and versions without CNI_COMMAND, and with --version', () => {
    const about = spawnSync(NAT, [], { env: { PATH: process.env.PATH }, input: '', encoding: 'utf8' });
    expect(about.status).toBe(0);
    expect(about.stdout).toBe('');
    expect(about.stderr).toMatch(
      /^nat-cni \S+: CNI NAT plugin.*\nCNI protocol versions supported: 0\.1\.0, 0\.2\.0, 0\.3\.0, 0\.3\.1, 0\.4\.0, 1\.0\.0, 1\.1\.0\n$/,
    );
    const version = spawnSync(NAT, ['--version'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toContain(`Node.js ${process.version}`);
  });

  it('answers VERSION with every spec version', () => {
    const v = spawnSync(NAT, [], {
      env: { PATH: process.env.PATH, CNI_COMMAND: 'VERSION' },
      input: '{"cniVersion":"1.0.0"}',
      encoding: 'utf8',
    });
    expect(JSON.parse(v.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: [...ALL_VERSIONS] });
  });
});

describe('STATUS', () => {
  it('answers 50 when HNS cannot do what the config needs', () => {
    const host = new SimHost();
    try {
      host.sim('settings', 'set', 'hnsVersion', '10.1');
      const a = host.run({ command: 'STATUS', config: natConfig('1.1.0', { optionalFlags: { loopbackDSR: true } }) });
      expect(a.json?.code).toBe(50);
      expect(String(a.json?.msg)).toMatch(/dsr/i);
    } finally {
      host.remove();
    }
  });
});
