/**
 * Every config in test/fixtures/configs (configs that exist in the wild, see SOURCES.md) goes through
 * parseNatConfig the way a runtime would hand it to nat.exe, and gives the expected key fields.
 * A fixture without an expectation fails the suite, so a new file cannot be skipped silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNatConfig, type NatConfig } from '../../plugin/config';
import { CniError } from '../../spec/errors';

const DIR = path.join(__dirname, '..', 'fixtures', 'configs');

type Raw = Record<string, unknown>;

/** What libcni hands a plugin from a conflist: the plugin object plus the list's name and cniVersion. */
const fromConflist = (list: Raw): Raw[] =>
  (list.plugins as Raw[]).map((p) => ({ ...p, name: list.name, cniVersion: list.cniVersion }));

/**
 * What the flannel meta-plugin hands its delegate on Windows (flannel-io/cni-plugin flannel_windows.go
 * doCmdAdd), with FLANNEL_NETWORK=10.244.0.0/16, FLANNEL_SUBNET=10.244.1.0/24, FLANNEL_IPMASQ=true, and
 * the delegate's type replaced by nat.
 */
const throughFlannel = (conf: Raw): Raw => ({
  ...(conf.delegate as Raw),
  name: conf.name,
  ipMasq: true,
  ipMasqNetwork: '10.244.0.0/16',
  cniVersion: conf.cniVersion,
  ipam: { type: 'host-local', subnet: '10.244.1.0/24' },
  type: 'nat',
});

/** Placeholders of l2bridge-dualstack-cni-template.conf, filled as its users would. */
const TEMPLATE_VALUES: Record<string, string> = {
  NAME: 'dualstack',
  TYPE: 'nat',
  DNSSERVER: '10.0.0.10',
  LOCAL_ENDPOINT: '192.168.0.5',
  LOCAL_ENDPOINT_IPV6: '10::5',
  INFRA_PREFIX: '192.168.0.0/30',
  INFRA_PREFIX_IPV6: '10::/126',
};

interface Expectation {
  /** How the file's text becomes the config(s) nat.exe receives. */
  prepare: (text: string) => Raw[];
  /** The type the file names when it is not nat: it must be refused as written. */
  foreignType?: string;
  /** The file is not valid JSON as published (Go's decoder refuses it too). */
  invalidJson?: RegExp;
  check: (c: NatConfig) => void;
}

const json = (text: string): Raw[] => [JSON.parse(text) as Raw];
const retyped = (text: string): Raw[] => [{ ...(JSON.parse(text) as Raw), type: 'nat' }];
const exceptionsOf = (c: NatConfig) => c.outboundNatExceptions;
const policyTypes = (c: NatConfig) => c.endpointPolicies.map((p) => p.Type);

const EXPECTATIONS: Record<string, Expectation> = {
  'windows-container-networking/nat.conf': {
    prepare: json,
    check: (c) => {
      expect(c).toMatchObject({ cniVersion: '0.2.0', name: 'natNetwork', master: 'Ethernet', ipam: { type: '' } });
      expect(c.subnets).toMatchObject([
        { prefix: '192.168.100.0/24', gateway: '192.168.100.1', gatewaySource: 'ipam.routes[0].gateway' },
      ]);
    },
  },
  'windows-container-networking/l2bridge.conf': {
    prepare: retyped,
    foreignType: 'l2bridge',
    check: (c) => {
      expect(c.subnets).toMatchObject([
        { prefix: '192.168.1.0/24', gateway: '192.168.1.2', gatewaySource: 'ipam.routes[0].gw' },
      ]);
      expect(c.dns).toEqual({ nameservers: ['11.0.0.10'], domain: '', search: ['svc.cluster.local'], options: [] });
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute', 'SDNRoute']);
      expect(exceptionsOf(c)).toEqual(['192.168.0.0/16', '11.0.0.0/8', '10.124.24.0/23']);
      expect(c.flags.loopbackDSR).toBe(false);
    },
  },
  'windows-container-networking/l2tunnel.conf': {
    prepare: retyped,
    foreignType: 'l2tunnel',
    check: (c) => {
      expect(c.ipam.type).toBe('azure-vnet-ipam');
      expect(c.subnets).toMatchObject([{ prefix: '10.240.0.0/12', gateway: '10.240.0.1', gatewaySource: 'derived' }]);
      expect(c.dns.nameservers).toEqual(['10.0.0.10']);
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute']);
    },
  },
  'windows-container-networking/flannel_l2bridge.conf': {
    prepare: (text) => [throughFlannel(JSON.parse(text.replaceAll('\u00a0', ' ')) as Raw)],
    foreignType: 'flannel',
    invalidJson: /JSON/,
    check: (c) => {
      expect(c.name).toBe('cbr0');
      expect(c.flags).toMatchObject({ forceBridgeGateway: true, loopbackDSR: false });
      expect(c.ipam.type).toBe('host-local');
      expect(c.subnets).toMatchObject([{ prefix: '10.244.1.0/24', gateway: '10.244.1.1' }]);
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute', 'SDNRoute']);
      expect(exceptionsOf(c)).toEqual(['10.244.0.0/16', '10.96.0.0/12']);
    },
  },
  'windows-container-networking/flannel_overlay.conf': {
    prepare: (text) => [throughFlannel(JSON.parse(text.replaceAll('\u00a0', ' ')) as Raw)],
    foreignType: 'flannel',
    invalidJson: /JSON/,
    check: (c) => {
      expect(c.name).toBe('vxlan0');
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute', 'ProviderAddress']);
      expect(c.endpointPolicies[2]?.Settings).toEqual({ ProviderAddress: 'ip of host' });
    },
  },
  'windows-container-networking/l2bridge-dualstack-cni-template.conf': {
    prepare: (text) => [
      JSON.parse(text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => TEMPLATE_VALUES[k] ?? `{{${k}}}`)) as Raw,
    ],
    check: (c) => {
      expect(c.name).toBe('dualstack');
      expect(c.flags).toMatchObject({
        localRoutedPortMapping: true,
        allowAclPortMapping: true,
        enableDualStack: true,
        gatewayFromAdditionalRoutes: true,
      });
      expect(c.subnets).toMatchObject([{ prefix: '192.168.0.0/24', gateway: '192.168.0.2' }]);
      expect(c.additionalRoutes).toEqual([{ dst: '::/0', gw: '10::2' }]);
      expect(c.dns.nameservers).toEqual(['10.0.0.10']);
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'OutBoundNAT', ...Array(8).fill('ACL')]);
      expect(exceptionsOf(c)).toEqual(['192.168.0.0/24', '192.168.0.5/32', '10::0/120', '10::5/128']);
    },
  },
  'windows-container-networking/l2bridgedualstack_host-local_ipam.conf': {
    prepare: retyped,
    foreignType: 'sdnbridge',
    check: (c) => {
      expect(c.ipam.type).toBe('host-local');
      expect(c.subnets.map((s) => [s.prefix, s.gateway])).toEqual([
        ['192.168.1.0/24', '192.168.1.2'],
        ['fd00::100/120', 'fd00::101'],
      ]);
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'OutBoundNAT', 'SDNRoute', 'SDNRoute']);
      expect(exceptionsOf(c)).toEqual([
        '192.168.0.0/16',
        '11.0.0.0/8',
        '10.124.24.0/23',
        'fd03::100/120',
        'fd04::100/120',
      ]);
    },
  },
  'containerd/0-containerd-nat.conf': {
    prepare: json,
    check: (c) => {
      expect(c).toMatchObject({ cniVersion: '0.2.0', name: 'nat', master: 'Ethernet' });
      // install-cni-windows writes /(32-prefix): 172.20.48.0/12 for a /20 host network.
      expect(c.subnets).toMatchObject([
        { prefix: '172.16.0.0/12', gateway: '172.20.48.1', gatewaySource: 'ipam.routes[0].gw' },
      ]);
      expect(c.warnings).toHaveLength(1);
      expect(c.warnings[0]).toMatch(
        /^ipam\.subnet "172\.20\.48\.0\/12" has host bits set, which HNS refuses \(0x803B000A\); using network 172\.16\.0\.0\/12\. With gateway 172\.20\.48\.1 it looks like 172\.20\.48\.0\/20 was meant\. Fix ipam\.subnet in the CNI config file of network "nat"/,
      );
    },
  },
  'containers-toolkit/0-containerd-nat.conf': {
    prepare: json,
    check: (c) => {
      // Set-DefaultCNIConfig writes the CNI plugin release (0.3.1) as cniVersion and "<gateway's /24 network>/16".
      expect(c).toMatchObject({ cniVersion: '0.3.1', name: 'nat', master: 'Ethernet' });
      expect(c.subnets).toMatchObject([
        { prefix: '192.168.0.0/16', gateway: '192.168.1.1', gatewaySource: 'ipam.routes[0].gateway' },
      ]);
      expect(c.warnings).toHaveLength(1);
      expect(c.warnings[0]).toMatch(
        /"192\.168\.1\.0\/16" has host bits set.*using network 192\.168\.0\.0\/16\. With gateway 192\.168\.1\.1 it looks like 192\.168\.1\.0\/24 was meant/,
      );
    },
  },
  'sig-windows-tools-containerd/0-containerd-nat.json': {
    prepare: json,
    check: (c) => {
      // Install-Containerd.ps1's CalculateSubNet, fed its own example (172.16.5.8, /24), writes /(32-24).
      expect(c).toMatchObject({ cniVersion: '0.2.0', name: 'nat', master: 'Ethernet' });
      expect(c.subnets).toMatchObject([
        { prefix: '172.0.0.0/8', gateway: '172.16.5.8', gatewaySource: 'ipam.routes[0].gw' },
      ]);
      expect(c.warnings[0]).toMatch(
        /"172\.16\.5\.0\/8" has host bits set.*using network 172\.0\.0\.0\/8\. With gateway 172\.16\.5\.8 it looks like 172\.16\.5\.0\/24 was meant/,
      );
    },
  },
  'buildkit/0-containerd-nat.conf': {
    prepare: json,
    check: (c) => {
      // moby/buildkit docs/windows.md copies the existing `nat` network's subnet and gateway.
      expect(c).toMatchObject({ cniVersion: '1.0.0', name: 'nat', master: 'Ethernet' });
      expect(c.subnets).toMatchObject([
        { prefix: '172.20.48.0/20', gateway: '172.20.48.1', gatewaySource: 'ipam.routes[0].gateway' },
      ]);
      expect(c.warnings).toEqual([]);
    },
  },
  'nerdctl/0-containerd-nat.conflist': {
    prepare: (text) => fromConflist(JSON.parse(text) as Raw),
    check: (c) => {
      expect(c).toMatchObject({ cniVersion: '1.0.0', name: 'nat', master: 'Ethernet' });
      expect(c.subnets).toMatchObject([{ prefix: '172.16.0.0/12', gateway: '172.20.48.1' }]);
    },
  },
  'nerdctl/nerdctl-nat.conflist': {
    prepare: (text) => fromConflist(JSON.parse(text) as Raw),
    check: (c) => {
      expect(c).toMatchObject({ cniVersion: '1.0.0', name: 'nat', master: 'Ethernet', ipam: { type: '' } });
      expect(c.subnets).toMatchObject([
        { prefix: '10.4.0.0/24', gateway: '10.4.0.1', gatewaySource: 'ipam.routes[0].gateway' },
      ]);
      expect(c.portMappings).toEqual([]);
    },
  },
  'sig-windows-tools-flannel/flannel-host-gw.cni-conf.json': {
    prepare: (text) => [throughFlannel(JSON.parse(text) as Raw)],
    foreignType: 'flannel',
    check: (c) => {
      expect(c).toMatchObject({ cniVersion: '0.3.0', name: 'cbr0' });
      // win-bridge's `policies` key, HNS v1 flat forms, translated.
      expect(c.endpointPolicies).toEqual([
        { Type: 'OutBoundNAT', Settings: { Exceptions: [] } },
        { Type: 'SDNRoute', Settings: { DestinationPrefix: '', NeedEncap: true } },
        { Type: 'SDNRoute', Settings: { DestinationPrefix: '', NeedEncap: true } },
      ]);
    },
  },
  'sig-windows-tools-flannel/flannel-host-gw.cni-conf-containerd.json': {
    prepare: (text) => [throughFlannel(JSON.parse(text) as Raw)],
    foreignType: 'flannel',
    check: (c) => {
      expect(c.flags.forceBridgeGateway).toBe(true);
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute', 'SDNRoute']);
      expect(c.subnets).toMatchObject([{ prefix: '10.244.1.0/24', gateway: '10.244.1.1' }]);
    },
  },
  'sig-windows-tools-flannel/flannel-overlay.cni-conf-containerd.json': {
    prepare: (text) => [throughFlannel(JSON.parse(text) as Raw)],
    foreignType: 'flannel',
    check: (c) => {
      expect(c.name).toBe('flannel.4096');
      expect(policyTypes(c)).toEqual(['OutBoundNAT', 'SDNRoute', 'ProviderAddress']);
    },
  },
};

const walk = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));

const fixtureFiles = (dir: string): string[] =>
  walk(dir)
    .map((f) => path.relative(dir, f).split(path.sep).join('/'))
    .filter((f) => f !== 'SOURCES.md')
    .sort();

describe('real-world config fixtures', () => {
  const files = fixtureFiles(DIR);

  it('every fixture has an expectation and every expectation a fixture', () => {
    expect(files).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it('every fixture is recorded in SOURCES.md', () => {
    const sources = fs.readFileSync(path.join(DIR, 'SOURCES.md'), 'utf8');
    for (const f of files) expect(sources, f).toContain(`\`${f}\``);
  });

  for (const file of files) {
    const expectation = EXPECTATIONS[file];
    if (expectation === undefined) continue;
    describe(file, () => {
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');

      if (expectation.invalidJson) {
        it('is not valid JSON as published', () => expect(() => JSON.parse(text)).toThrow(expectation.invalidJson));
      }

      if (expectation.foreignType !== undefined) {
        it(`is refused as written (type ${expectation.foreignType}) with code 7 naming "nat"`, () => {
          const raw = JSON.parse(text.replaceAll('\u00a0', ' ')) as Raw;
          let err: unknown;
          try {
            parseNatConfig(raw);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(CniError);
          expect((err as CniError).code).toBe(7);
          expect((err as CniError).msg).toContain(`type: "${expectation.foreignType}" is not supported`);
          expect((err as CniError).msg).toContain('"nat"');
        });
      }

      it('parses into the expected NatConfig', () => {
        const configs = expectation.prepare(text);
        expect(configs.length).toBeGreaterThan(0);
        for (const raw of configs) expectation.check(parseNatConfig(raw));
      });
    });
  }
});
