/**
 * Policy validation: which policy types this HNS version knows, and the checks HNS makes on the
 * settings of the types the NAT path uses.
 */
import {
  ENDPOINT_POLICY_TYPES,
  EndpointPolicy,
  NETWORK_POLICY_TYPES,
  NatFlags,
  NetAdapterNameSettings,
  NetworkPolicy,
  OutboundNatSettings,
  PolicyEnvelope,
  PortMappingSettings,
  Protocol,
  SdnRouteSettings,
  isPortMapping,
} from '../../schema';
import type { NetworkMode } from '../../schema';
import { type SimSettings, type Feature, hasFeature } from '../settings';
import { type Ip, isUnspecified, parseCidr, parseIp } from '../ip';
import { fail, parseWith } from './failure';

/** Policy types that only exist from some HNS version on (hcsshim hcn/hcnglobals.go). */
const ENDPOINT_TYPE_FEATURE: Partial<Record<string, Feature>> = {
  L4Proxy: 'L4Proxy',
  L4WFPPROXY: 'L4WfpProxy',
  TierAcl: 'TierAcl',
};
const NETWORK_TYPE_FEATURE: Partial<Record<string, Feature>> = {
  RemoteSubnetRoute: 'RemoteSubnet',
  HostRoute: 'HostRoute',
  VxlanPort: 'VxlanPort',
  SetPolicy: 'SetPolicy',
  L4Proxy: 'L4Proxy',
  NetworkACL: 'NetworkAcl',
};

/** Network types whose switch has no NAT to map ports through [I]. */
const NO_PORT_MAPPING: readonly NetworkMode[] = ['Transparent', 'Private', 'Internal', 'Mirrored', 'Infiniband'];

function knownType(
  s: SimSettings,
  type: string,
  known: readonly string[],
  gates: Partial<Record<string, Feature>>,
): boolean {
  if (!known.includes(type)) return false;
  const gate = gates[type];
  return gate === undefined || hasFeature(s, gate);
}

/** Envelopes first, so that a bad Type is HCN_E_INVALID_POLICY_TYPE and bad Settings HCN_E_INVALID_POLICY. */
function envelopes(raw: unknown): PolicyEnvelope[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return fail('HCN_E_INVALID_POLICY', 'Policies is not an array');
  return raw.map((p, i) => parseWith(PolicyEnvelope, p, 'HCN_E_INVALID_POLICY', `Policies[${i}]`));
}

export function validateNetworkPolicies(s: SimSettings, raw: unknown): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const [i, env] of envelopes(raw).entries()) {
    if (!knownType(s, env.Type, NETWORK_POLICY_TYPES, NETWORK_TYPE_FEATURE)) {
      if (s.unknownPolicyType === 'ignore') continue;
      fail('HCN_E_INVALID_POLICY_TYPE', `network policy type ${JSON.stringify(env.Type)}`);
    }
    const p = parseWith(NetworkPolicy, env, 'HCN_E_INVALID_POLICY', `Policies[${i}]`);
    if (p.Type === 'NetAdapterName') checkAdapter(s, NetAdapterNameSettings.parse(p.Settings).NetworkAdapterName);
    out.push(p);
  }
  return out;
}

/** A NetAdapterName must name an adapter of the host (settings.hostAdapters) [I]. */
function checkAdapter(s: SimSettings, name: string): void {
  if (!s.hostAdapters.some((a) => a.toLowerCase() === name.toLowerCase())) {
    fail(
      'HCN_E_ADAPTER_NOT_FOUND',
      `NetAdapterName ${JSON.stringify(name)}: the host's adapters are ${s.hostAdapters.map((a) => JSON.stringify(a)).join(', ') || 'none'}`,
    );
  }
}

function ipOrFail(s: string | undefined, what: string): Ip | undefined {
  if (s === undefined || s === '') return undefined;
  return parseIp(s) ?? fail('HCN_E_INVALID_POLICY', `${what} ${JSON.stringify(s)} is not an IP address`);
}

function requireFamily(
  s: SimSettings,
  ip: Ip | undefined,
  hr: 'HCN_E_INVALID_POLICY' | 'HCN_E_INVALID_IP',
  what: string,
): void {
  if (ip?.family === 6 && !hasFeature(s, 'IPv6DualStack'))
    fail(hr, `${what}: IPv6 needs HNS 11.10 or later (this is ${s.hnsVersion})`);
}

function checkPortMapping(s: SimSettings, pm: PortMappingSettings, networkType: NetworkMode): void {
  if (NO_PORT_MAPPING.includes(networkType)) fail('HCN_E_MAPPING_NOT_SUPPORTED', `network type ${networkType}`);
  if (s.portMappingProtocols === 'tcpUdp' && pm.Protocol !== Protocol.TCP && pm.Protocol !== Protocol.UDP) {
    fail('HCN_E_INVALID_POLICY', `port mapping protocol ${pm.Protocol}: only TCP (6) and UDP (17) can be mapped`);
  }
  if (pm.InternalPort === 0) fail('HCN_E_INVALID_INTERNAL_PORT');
  // A static NAT mapping needs a host port; HNS does not pick one [I].
  if (pm.ExternalPort === 0) fail('HCN_E_INVALID_POLICY', 'ExternalPort must not be zero');
  const known = NatFlags.LocalRoutedVip | NatFlags.IPv6;
  if ((pm.Flags & ~known) !== 0) fail('HCN_E_INVALID_POLICY', `unknown NatFlags ${pm.Flags}`);
  if (pm.Flags & NatFlags.IPv6 && !hasFeature(s, 'IPv6DualStack')) {
    fail('HCN_E_INVALID_POLICY', `NatFlags IPv6 needs HNS 11.10 or later (this is ${s.hnsVersion})`);
  }
  const vip = ipOrFail(pm.VIP, 'VIP');
  requireFamily(s, vip, 'HCN_E_INVALID_POLICY', 'VIP');
  // An IPv4 VIP on an IPv6 mapping (or the reverse) cannot be programmed [I].
  if (vip && !isUnspecified(vip) && (vip.family === 6) !== Boolean(pm.Flags & NatFlags.IPv6)) {
    fail('HCN_E_INVALID_POLICY', `VIP ${pm.VIP} does not match the mapping's address family`);
  }
}

function checkPrefixOrIp(v: string, what: string): void {
  if (!parseIp(v) && !parseCidr(v))
    fail('HCN_E_INVALID_POLICY', `${what} ${JSON.stringify(v)} is not an address or prefix`);
}

function checkOutboundNat(s: SimSettings, o: OutboundNatSettings): void {
  requireFamily(s, ipOrFail(o.VirtualIP, 'VirtualIP'), 'HCN_E_INVALID_POLICY', 'VirtualIP');
  for (const e of o.Exceptions ?? []) checkPrefixOrIp(e, 'Exceptions entry');
  for (const d of o.Destinations ?? []) checkPrefixOrIp(d, 'Destinations entry');
  // Destinations is the loopback-DSR form; HNS without DSR cannot program it [I from hcsshim's DSR gate].
  if ((o.Destinations?.length ?? 0) > 0 && !hasFeature(s, 'Dsr')) {
    fail(
      'HCN_E_INVALID_POLICY',
      `OutBoundNAT Destinations (DSR) needs HNS 9.3 or 10.2 and later (this is ${s.hnsVersion})`,
    );
  }
}

function checkSdnRoute(r: SdnRouteSettings): void {
  if (r.DestinationPrefix !== undefined && !parseCidr(r.DestinationPrefix))
    fail('HCN_E_INVALID_POLICY', 'SDNRoute DestinationPrefix');
  if (r.NextHop !== undefined && r.NextHop !== '' && !parseIp(r.NextHop))
    fail('HCN_E_INVALID_POLICY', 'SDNRoute NextHop');
}

export function validateEndpointPolicies(s: SimSettings, raw: unknown, networkType: NetworkMode): EndpointPolicy[] {
  const out: EndpointPolicy[] = [];
  for (const [i, env] of envelopes(raw).entries()) {
    if (!knownType(s, env.Type, ENDPOINT_POLICY_TYPES, ENDPOINT_TYPE_FEATURE)) {
      if (s.unknownPolicyType === 'ignore') continue;
      fail('HCN_E_INVALID_POLICY_TYPE', `endpoint policy type ${JSON.stringify(env.Type)}`);
    }
    const p = parseWith(EndpointPolicy, env, 'HCN_E_INVALID_POLICY', `Policies[${i}] (${env.Type})`);
    if (p.Type === 'PortMapping') checkPortMapping(s, PortMappingSettings.parse(p.Settings), networkType);
    else if (p.Type === 'OutBoundNAT') checkOutboundNat(s, OutboundNatSettings.parse(p.Settings));
    else if (p.Type === 'SDNRoute') checkSdnRoute(SdnRouteSettings.parse(p.Settings));
    out.push(p);
  }
  return out;
}

export type PortKey = { protocol: number; port: number; ipv6: boolean; vip: Ip | undefined };

export function portKeys(policies: readonly EndpointPolicy[]): PortKey[] {
  const keys: PortKey[] = [];
  for (const p of policies) {
    if (!isPortMapping(p)) continue;
    // Stored policies were parsed when they were created: no second pass over every mapping of every endpoint.
    const pm = p.Settings;
    const vip = pm.VIP ? parseIp(pm.VIP) : undefined;
    keys.push({ protocol: pm.Protocol, port: pm.ExternalPort, ipv6: Boolean(pm.Flags & NatFlags.IPv6), vip });
  }
  return keys;
}

/**
 * Two mappings clash on the host when protocol, port and family match and the VIPs overlap (a missing or
 * unspecified VIP is every address) [I]. The family is the NatFlags IPv6 bit (hcsshim hcn/hcnpolicy.go):
 * an IPv4 and an IPv6 mapping of one port live side by side, as microsoft/windows-container-networking#104
 * programs them on dual-stack hosts (test/hns/sim/public-sources.test.ts).
 */
export function portsClash(a: PortKey, b: PortKey): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port || a.ipv6 !== b.ipv6) return false;
  if (!a.vip || !b.vip || isUnspecified(a.vip) || isUnspecified(b.vip)) return true;
  return a.vip.family === b.vip.family && a.vip.value === b.vip.value;
}

export function describePort(k: PortKey): string {
  const proto = k.protocol === Protocol.TCP ? 'TCP' : k.protocol === Protocol.UDP ? 'UDP' : `protocol ${k.protocol}`;
  return `${proto} port ${k.port}${k.ipv6 ? ' (IPv6)' : ''}`;
}
