/**
 * Configs from the wild, IPAM delegation and the FFI path, through the executable as a runtime calls it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAT, REPO, SimHost, buildPluginAndSim, natConfig } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const FIXTURES = path.join(REPO, 'test/fixtures/configs');
/** The fixtures of type nat, as the runtime hands each to the plugin (a conflist's plugin with the list's name and version). */
const NAT_FIXTURES = [
  'containerd/0-containerd-nat.conf',
  'nerdctl/0-containerd-nat.conflist',
  'nerdctl/nerdctl-nat.conflist',
  'windows-container-networking/nat.conf',
  'containers-toolkit/0-containerd-nat.conf',
  'sig-windows-tools-containerd/0-containerd-nat.json',
  'buildkit/0-containerd-nat.conf',
];
/** CHECK exists from CNI 0.4.0 on. */
const hasCheck = (version: unknown) => typeof version === 'string' && !/^0\.[0-3]\./.test(version);
/** Every IpAddressPrefix HNS was given, as the simulator stored it. */
const prefixes = (dump: ReturnType<SimHost['dump']>) =>
  JSON.stringify(dump.networks)
    .match(/"IpAddressPrefix":"[^"]+"/g)
    ?.map((m) => m.slice(19, -1)) ?? [];

function pluginConfig(file: string): Record<string, unknown> {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<string, unknown> & {
    plugins?: Record<string, unknown>[];
  };
  return doc.plugins ? { cniVersion: doc.cniVersion, name: doc.name, ...doc.plugins[0] } : doc;
}

describe.each(NAT_FIXTURES)('the fixture %s', (file) => {
  it('works as written: ADD attaches in its subnet with its gateway, CHECK where the version has it, DEL removes', () => {
    const host = new SimHost();
    const logFile = path.join(host.stateDir, 'nat.log');
    try {
      const raw = pluginConfig(file);
      const config: Record<string, unknown> = {
        ...raw,
        logFile,
        runtimeConfig: { portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp' }] },
      };
      const netns = host.createNamespace();
      const add = host.run({ command: 'ADD', containerId: 'fixture', netns, ifName: 'eth0', config });
      expect(add.code, add.stdout).toBe(0);
      const ipam = config.ipam as { routes: Array<Record<string, string>> };
      const gateway = Object.values(ipam.routes[0] ?? {})[0];
      const result = add.json as { ip4?: { gateway: string }; ips?: Array<{ gateway: string }> };
      expect(result.ip4?.gateway ?? result.ips?.[0]?.gateway).toBe(gateway);
      const dump = host.dump();
      expect(dump.networks.map((n) => n.Name)).toEqual([config.name]);
      expect(dump.endpoints.map((e) => e.Name)).toEqual([`fixture_${String(config.name)}`]);
      // No prefix with host bits reaches HNS (which refuses one with 0x803B000A; so does the simulator).
      const written = String((raw.ipam as { subnet: string }).subnet);
      const [address = '', bits = ''] = written.split('/');
      const hostBits = !prefixes(dump).includes(written);
      expect(prefixes(dump)).toHaveLength(1);
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (hostBits) {
        // The user is told what is used, what was probably meant and where to fix it.
        expect(log).toContain(
          `ipam.subnet \\"${address}/${bits}\\" has host bits set, which HNS refuses (0x803B000A); using network ${prefixes(dump)[0]}`,
        );
        expect(log).toContain('it looks like');
        expect(log).toContain('Fix ipam.subnet in the CNI config file of network \\"nat\\"');
      } else {
        expect(log).not.toContain('host bits');
      }
      if (hasCheck(config.cniVersion)) {
        const check = host.run({
          command: 'CHECK',
          containerId: 'fixture',
          netns,
          ifName: 'eth0',
          config: { ...config, prevResult: add.json },
        });
        expect(check.code, check.stdout).toBe(0);
      }
      expect(host.run({ command: 'DEL', containerId: 'fixture', netns, ifName: 'eth0', config }).code).toBe(0);
      expect(host.dump().endpoints).toEqual([]);
    } finally {
      host.remove();
    }
  });
});

describe('IPAM delegation to Debian host-local', () => {
  const hostLocal = '/usr/lib/cni/host-local';
  it.skipIf(!fs.existsSync(hostLocal))('ADD takes the address host-local allocates, DEL releases it', () => {
    const host = new SimHost();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-host-local-'));
    try {
      const config = natConfig('1.0.0', {
        ipam: {
          type: 'host-local',
          subnet: '172.20.0.0/16',
          rangeStart: '172.20.5.10',
          rangeEnd: '172.20.5.20',
          routes: [{ gateway: '172.20.0.1' }],
          dataDir,
        },
      });
      const netns = host.createNamespace();
      const add = host.run({
        command: 'ADD',
        containerId: 'ipam',
        netns,
        ifName: 'eth0',
        config,
        path: '/usr/lib/cni',
      });
      expect(add.code, add.stdout).toBe(0);
      expect((add.json as { ips: Array<{ address: string }> }).ips[0]?.address).toBe('172.20.5.10/16');
      expect(host.dump().endpoints[0]?.IpConfigurations?.[0]?.IpAddress).toBe('172.20.5.10');
      const reserved = fs.readdirSync(path.join(dataDir, 'nat'));
      expect(reserved).toContain('172.20.5.10');
      expect(
        host.run({
          command: 'CHECK',
          containerId: 'ipam',
          netns,
          ifName: 'eth0',
          config: { ...config, prevResult: add.json },
          path: '/usr/lib/cni',
        }).code,
      ).toBe(0);
      expect(
        host.run({ command: 'DEL', containerId: 'ipam', netns, ifName: 'eth0', config, path: '/usr/lib/cni' }).code,
      ).toBe(0);
      expect(fs.readdirSync(path.join(dataDir, 'nat'))).not.toContain('172.20.5.10');
    } finally {
      host.remove();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('through the FFI path: koffi -> fake libcomputenetwork.so -> hns-sim serve', () => {
  const host = new SimHost();
  let server: ReturnType<typeof spawn>;
  let addr = '';
  beforeAll(async () => {
    execFileSync('make', ['-s', 'dist/libcomputenetwork.so'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    server = spawn(
      process.execPath,
      [path.join(REPO, 'dist/hns-sim'), '--state', host.stateDir, 'serve', '--listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    addr = await new Promise<string>((resolve, reject) => {
      let seen = '';
      server.stdout?.on('data', (c: Buffer) => {
        seen += c.toString();
        const m = /listening (\S+)/.exec(seen);
        if (m?.[1]) resolve(m[1]);
      });
      server.once('exit', (code) => reject(new Error(`hns-sim serve exited with ${code}`)));
    });
  }, 120_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    host.remove();
  });

  it('runs a full ADD, CHECK, DEL cycle', () => {
    const netns = host.createNamespace();
    const env = { NAT_CNI_HNS: `ffi:${path.join(REPO, 'dist/libcomputenetwork.so')}`, NAT_CNI_HNS_SIM_ADDR: addr };
    const config = natConfig('1.0.0', {
      runtimeConfig: { portMappings: [{ hostPort: 8081, containerPort: 80, protocol: 'udp' }] },
    });
    const call = (command: string, cfg: unknown) => {
      const r = spawnSync(NAT, [], {
        input: JSON.stringify(cfg),
        encoding: 'utf8',
        env: { ...host.env({ command, containerId: 'ffi', netns, ifName: 'eth0', config: cfg }), ...env },
      });
      expect(r.stderr).not.toContain('fake computenetwork:');
      return r;
    };
    const add = call('ADD', config);
    expect(add.status, add.stdout).toBe(0);
    const ep = host.dump().endpoints.find((e) => e.Name === 'ffi_nat');
    expect(ep?.Policies?.find((p) => p.Type === 'PortMapping')?.Settings).toMatchObject({
      Protocol: 17,
      ExternalPort: 8081,
    });
    expect(call('CHECK', { ...config, prevResult: JSON.parse(add.stdout) }).status).toBe(0);
    expect(call('DEL', config).status).toBe(0);
    expect(host.dump().endpoints.find((e) => e.Name === 'ffi_nat')).toBeUndefined();
  });
});
