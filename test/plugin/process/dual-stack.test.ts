/**
 * Dual-stack NAT through dist/nat: a network with an IPv4 and an IPv6 subnet publishes a port mapping
 * without hostIP on both families (a second PortMapping policy with NatFlags IPv6, hcsshim
 * hcn/hcnpolicy.go; microsoft/windows-container-networking#104), a hostIP on its own family only, and the
 * result carries both addresses with both gateways.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimHost, buildPluginAndSim, natConfig } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

let host: SimHost;
afterEach(() => host?.remove());

const DUAL = {
  ipam: {
    ranges: [[{ subnet: '172.30.0.0/24', gateway: '172.30.0.1' }], [{ subnet: 'fd00:30::/64', gateway: 'fd00:30::1' }]],
  },
};
const mappings = (...m: Array<Record<string, unknown>>) => ({ runtimeConfig: { portMappings: m } });
/** As HNS stores them: a zero Flags is left out (omitempty). */
const portPolicies = (h: SimHost) =>
  (h.dump().endpoints[0]?.Policies ?? []).filter((p) => p.Type === 'PortMapping').map((p) => p.Settings);

describe('dual-stack NAT network', () => {
  it('publishes a mapping without hostIP on IPv4 and IPv6; the result has both addresses and gateways', () => {
    host = new SimHost();
    const netns = host.createNamespace();
    const config = natConfig('1.0.0', { ...DUAL, ...mappings({ hostPort: 8080, containerPort: 80, protocol: 'tcp' }) });
    const add = host.run({ command: 'ADD', containerId: 'c1', netns, ifName: 'eth0', config });
    expect(add.code, add.stdout).toBe(0);
    expect(portPolicies(host)).toEqual([
      { Protocol: 6, InternalPort: 80, ExternalPort: 8080 },
      { Protocol: 6, InternalPort: 80, ExternalPort: 8080, Flags: 2 },
    ]);
    const ips = (add.json as { ips: Array<{ address: string; gateway?: string }> }).ips;
    expect(ips.map((ip) => ip.gateway)).toEqual(['172.30.0.1', 'fd00:30::1']);
    expect(ips[0]?.address).toMatch(/^172\.30\.0\.\d+\/24$/);
    expect(ips[1]?.address).toMatch(/^fd00:30::[0-9a-f:]+\/64$/);
    expect(
      host.run({
        command: 'CHECK',
        containerId: 'c1',
        netns,
        ifName: 'eth0',
        config: { ...config, prevResult: add.json },
      }).code,
    ).toBe(0);
    // The same port of another container clashes, and the message names the holder.
    const other = host.run({
      command: 'ADD',
      containerId: 'c2',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config,
    });
    expect(other.code).toBe(1);
    expect(String(other.json?.msg)).toContain('c1_nat');
  });

  it('publishes a mapping with a hostIP on that family only', () => {
    host = new SimHost();
    const netns = host.createNamespace();
    const config = natConfig('1.0.0', {
      ...DUAL,
      ...mappings(
        { hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '192.0.2.10' },
        { hostPort: 8443, containerPort: 443, protocol: 'tcp', hostIP: '2001:db8::10' },
      ),
    });
    const add = host.run({ command: 'ADD', containerId: 'c1', netns, ifName: 'eth0', config });
    expect(add.code, add.stdout).toBe(0);
    expect(portPolicies(host)).toEqual([
      { Protocol: 6, InternalPort: 80, ExternalPort: 8080, VIP: '192.0.2.10' },
      { Protocol: 6, InternalPort: 443, ExternalPort: 8443, VIP: '2001:db8::10', Flags: 2 },
    ]);
  });

  it('an IPv4-only network keeps one IPv4 policy per mapping', () => {
    host = new SimHost();
    const netns = host.createNamespace();
    const add = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns,
      ifName: 'eth0',
      config: natConfig('1.0.0', mappings({ hostPort: 8080, containerPort: 80, protocol: 'tcp' })),
    });
    expect(add.code, add.stdout).toBe(0);
    expect(portPolicies(host)).toEqual([{ Protocol: 6, InternalPort: 80, ExternalPort: 8080 }]);
  });
});
