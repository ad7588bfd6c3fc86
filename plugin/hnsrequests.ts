/**
 * From a NatConfig to the HNS documents ADD sends: the NAT network (when it does not exist yet) and the
 * endpoint with its policies. Also reads back what a network really has (its subnets and gateways),
 * because an existing network wins over the config (nerdctl#28: the Go plugin mixed the two).
 */
import type {
  HostComputeEndpoint,
  HostComputeNetwork,
  NetworkRequest,
  EndpointRequest,
  PolicyInput,
} from '../hns/schema';
import { NatFlags } from '../hns/schema';
import type { NatConfig } from './config';
import type { PortMapping } from './portmappings';
import { parseCidr, parseIp, subnetContains, type IpFamily, type Subnet } from './subnet';

const DEFAULT_DST: Record<IpFamily, string> = { 4: '0.0.0.0/0', 6: '::/0' };

/**
 * The network request: one static subnet per family with its default route, and the host adapter
 * (`adapter`: `master` once the host is known to have it, see add.ts) as a NetAdapterName policy.
 */
export function networkRequest(config: NatConfig, adapter: string | undefined): NetworkRequest {
  const policies: PolicyInput[] = [];
  if (adapter) policies.push({ Type: 'NetAdapterName', Settings: { NetworkAdapterName: adapter } });
  policies.push(...config.networkPolicies);
  const dns = config.networkDns;
  return {
    Name: config.name,
    Type: 'NAT',
    Policies: policies,
    MacPool: {},
    Dns: { Domain: dns.domain, Search: dns.search, ServerList: dns.nameservers, Options: dns.options },
    Ipams:
      config.subnets.length === 0
        ? []
        : [
            {
              Type: 'Static',
              Subnets: config.subnets.map((s) => ({
                IpAddressPrefix: s.prefix,
                Routes: [{ NextHop: s.gateway, DestinationPrefix: DEFAULT_DST[s.family] }],
                Flags: 0,
              })),
            },
          ],
    Flags: 0,
  };
}

export interface NetworkSubnetInfo extends Subnet {
  /** The next hop of the subnet's default route, when it has one. */
  gateway: string | undefined;
}

/** The subnets HNS really has for this network, with their gateways, first per family. */
export function subnetsOfNetwork(network: HostComputeNetwork): NetworkSubnetInfo[] {
  const out: NetworkSubnetInfo[] = [];
  for (const ipam of network.Ipams) {
    for (const s of ipam.Subnets) {
      if (!s.IpAddressPrefix) continue;
      const parsed = parseCidr(s.IpAddressPrefix);
      if (!parsed.ok || out.some((o) => o.family === parsed.value.family)) continue;
      const route =
        s.Routes?.find((r) => r.DestinationPrefix === DEFAULT_DST[parsed.value.family] && r.NextHop) ??
        s.Routes?.find((r) => r.NextHop);
      out.push({ ...parsed.value, gateway: route?.NextHop });
    }
  }
  return out;
}

/** The network subnet an address lies in, if any. */
export function subnetOf(subnets: readonly NetworkSubnetInfo[], address: string): NetworkSubnetInfo | undefined {
  const ip = parseIp(address);
  return ip.ok ? subnets.find((s) => subnetContains(s, ip.value)) : undefined;
}

/**
 * Differences between the subnets the config asks for and the ones the existing network has, in words
 * (empty when they agree, or when the config names no subnet).
 */
export function subnetMismatches(config: NatConfig, actual: readonly NetworkSubnetInfo[]): string[] {
  const problems: string[] = [];
  for (const wanted of config.subnets) {
    const have = actual.find((a) => a.family === wanted.family);
    if (!have) {
      problems.push(
        `the config asks for subnet ${wanted.prefix} but network "${config.name}" has no IPv${wanted.family} subnet`,
      );
      continue;
    }
    if (have.prefix !== wanted.prefix) {
      problems.push(`the config asks for subnet ${wanted.prefix} but network "${config.name}" has ${have.prefix}`);
    } else if (wanted.gatewaySource !== 'derived' && have.gateway !== undefined && have.gateway !== wanted.gateway) {
      problems.push(`the config asks for gateway ${wanted.gateway} but network "${config.name}" has ${have.gateway}`);
    }
  }
  return problems;
}

/**
 * The address families a mapping is published on. A `hostIP` names its family. Without one, every family
 * the network has a subnet of: HNS maps a PortMapping policy for one family only, IPv6 when its NatFlags
 * has IPv6 (hcsshim hcn/hcnpolicy.go `NatFlagsIPv6`), so a dual-stack network needs a second policy
 * without a VIP and with that flag, as the Go plugin adds since microsoft/windows-container-networking#104
 * (HNS then uses the network's own IPv6 address for the NAT). A network without subnets is IPv4.
 */
function mappingFamilies(m: PortMapping, families: readonly IpFamily[]): IpFamily[] {
  if (m.vipFamily !== undefined) return [m.vipFamily];
  const published = ([4, 6] as const).filter((f) => families.includes(f));
  return published.length > 0 ? published : [4];
}

/**
 * PortMapping policies, one per published family (plus an inbound ACL per mapping with
 * allowAclPortMapping). ACL priorities count up from 1000 so that rules stay distinguishable (the Go
 * plugin gives every rule 1000). `families`: those the network has a subnet of.
 */
export function portMappingPolicies(mappings: readonly PortMapping[], families: readonly IpFamily[]): PolicyInput[] {
  const policies: PolicyInput[] = [];
  let priority = 1000;
  for (const m of mappings) {
    for (const family of mappingFamilies(m, families)) {
      let flags: number = NatFlags.None;
      if (m.localRouted) flags |= NatFlags.LocalRoutedVip;
      if (family === 6) flags |= NatFlags.IPv6;
      policies.push({
        Type: 'PortMapping',
        Settings: {
          Protocol: m.protocol,
          InternalPort: m.containerPort,
          ExternalPort: m.hostPort,
          ...(m.vip === undefined ? {} : { VIP: m.vip }),
          Flags: flags,
        },
      });
    }
    if (m.allowAcl) {
      policies.push({
        Type: 'ACL',
        Settings: {
          Protocols: String(m.protocol),
          Action: 'Allow',
          Direction: 'In',
          LocalPorts: String(m.containerPort),
          Priority: priority++,
        },
      });
    }
  }
  return policies;
}

/** A canonical text of a list of PortMapping policies, to compare requested and present ones. */
function portMappingKeys(policies: readonly PolicyInput[]): string {
  return policies
    .filter((p) => p.Type === 'PortMapping')
    .map((p) => {
      const s = (p.Settings ?? {}) as Record<string, unknown>;
      const part = (v: unknown, none: string) =>
        v === undefined || v === null ? none : typeof v === 'string' ? v : JSON.stringify(v);
      return `${part(s.Protocol, '0')}:${part(s.ExternalPort, '0')}->${part(s.InternalPort, '0')}@${part(s.VIP, '')}/${part(s.Flags, '0')}`;
    })
    .sort()
    .join(',');
}

/** The port mappings the config asks for on a network with these subnets, and those the endpoint has, when they differ. */
export function portMappingDrift(
  config: NatConfig,
  ep: HostComputeEndpoint,
  subnets: readonly NetworkSubnetInfo[],
): { want: string; have: string } | undefined {
  const want = portMappingKeys(
    portMappingPolicies(
      config.portMappings,
      subnets.map((s) => s.family),
    ),
  );
  const have = portMappingKeys(ep.Policies);
  return want === have ? undefined : { want, have };
}

export interface EndpointPlan {
  name: string;
  networkId: string;
  subnets: readonly NetworkSubnetInfo[];
  /** Addresses chosen before creation (IPAM plugin or static); empty lets HNS allocate. */
  addresses: readonly string[];
}

export function endpointRequest(config: NatConfig, plan: EndpointPlan): EndpointRequest {
  const dns = config.dns;
  return {
    Name: plan.name,
    HostComputeNetwork: plan.networkId,
    Policies: [
      ...portMappingPolicies(
        config.portMappings,
        plan.subnets.map((s) => s.family),
      ),
      ...config.endpointPolicies,
    ],
    IpConfigurations: plan.addresses.map((address) => {
      const subnet = subnetOf(plan.subnets, address);
      return { IpAddress: address, ...(subnet ? { PrefixLength: subnet.prefixLength } : {}) };
    }),
    Dns: { Domain: dns.domain, Search: dns.search, ServerList: dns.nameservers, Options: dns.options },
    Routes: [
      ...plan.subnets
        .filter((s) => s.gateway !== undefined)
        .map((s) => ({ NextHop: s.gateway, DestinationPrefix: DEFAULT_DST[s.family] })),
      ...config.additionalRoutes.map((r) => ({ NextHop: r.gw, DestinationPrefix: r.dst })),
    ],
    ...(config.mac ? { MacAddress: config.mac } : {}),
    Flags: 0,
  };
}

/** loopbackDSR: an OutBoundNAT policy whose destination is the endpoint's own address. */
export const loopbackDsrPolicy = (addresses: readonly string[]): PolicyInput => ({
  Type: 'OutBoundNAT',
  Settings: { Destinations: [...addresses] },
});

/** Whether the endpoint has the loopback DSR policy for its own addresses (an ADD may have died before adding it). */
export function hasLoopbackDsr(ep: HostComputeEndpoint): boolean {
  const own = ep.IpConfigurations.map((c) => c.IpAddress);
  return ep.Policies.some((p) => {
    if (p.Type !== 'OutBoundNAT') return false;
    const destinations = ((p.Settings ?? {}) as Record<string, unknown>).Destinations;
    return Array.isArray(destinations) && own.every((ip) => destinations.includes(ip));
  });
}
