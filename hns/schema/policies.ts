/**
 * Network and endpoint policies (hcsshim hcn/hcnpolicy.go). The types the NAT path builds or reads are
 * typed; every other type passes through with its Settings untouched.
 */
import * as z from '../../spec/zod';
import { ciObject } from '../../spec/keys';
import { Uint16, Uint32, hnsEnum } from './common';

/** IP protocol numbers as hcsshim sends them; the schema also names them. */
export const Protocol = { Unknown: 0, ICMPv4: 1, IGMP: 2, TCP: 6, UDP: 17, ICMPv6: 58 } as const;
const PROTOCOL_BY_NAME: Record<string, number> = Protocol;

/** A protocol as a number (what hcsshim sends) or a schema name ("TCP"), read as the number. */
export const ProtocolNumber = z.union([
  Uint32,
  z
    .enum(Object.keys(Protocol) as [keyof typeof Protocol, ...(keyof typeof Protocol)[]])
    .transform((n) => PROTOCOL_BY_NAME[n] ?? 0),
]);

/** NatFlags (hcsshim `NatFlags*` = iota): IPv6 came with schema 2.8 / dual stack. */
export const NatFlags = { None: 0, LocalRoutedVip: 1, IPv6: 2 } as const;

export const PortMappingSettings = ciObject({
  Protocol: ProtocolNumber.default(0),
  InternalPort: Uint16.default(0),
  ExternalPort: Uint16.default(0),
  VIP: z.string().optional(),
  Flags: Uint32.default(0),
});
export type PortMappingSettings = z.infer<typeof PortMappingSettings>;

export const AclAction = ['Allow', 'Block', 'Pass'] as const;
export const AclDirection = ['In', 'Out'] as const;
export const AclRuleType = ['Host', 'Switch'] as const;

/** hcsshim always writes Action and Direction; a reader defaults them as HNS would omit zero enums [I]. */
export const AclSettings = ciObject({
  Id: z.string().optional(),
  Protocols: z.string().optional(),
  Action: hnsEnum(AclAction).default('Allow'),
  Direction: hnsEnum(AclDirection).default('In'),
  LocalAddresses: z.string().optional(),
  RemoteAddresses: z.string().optional(),
  LocalPorts: z.string().optional(),
  RemotePorts: z.string().optional(),
  RuleType: hnsEnum(AclRuleType).optional(),
  Priority: Uint16.optional(),
});
export type AclSettings = z.infer<typeof AclSettings>;

export const OutboundNatSettings = ciObject({
  VirtualIP: z.string().optional(),
  Exceptions: z.array(z.string()).optional(),
  Destinations: z.array(z.string()).optional(),
  Flags: Uint32.default(0),
  MaxPortPoolUsage: Uint16.optional(),
});
export type OutboundNatSettings = z.infer<typeof OutboundNatSettings>;

export const SdnRouteSettings = ciObject({
  DestinationPrefix: z.string().optional(),
  NextHop: z.string().optional(),
  NeedEncap: z.boolean().optional(),
});
export type SdnRouteSettings = z.infer<typeof SdnRouteSettings>;

export const NetAdapterNameSettings = ciObject({ NetworkAdapterName: z.string().default('') });
export type NetAdapterNameSettings = z.infer<typeof NetAdapterNameSettings>;

/** Every endpoint policy type HNS knows (HNS schema EndpointPolicyType, learn.microsoft.com/virtualization/api/hcn/HNS_Schema; hcsshim hcn/hcnpolicy.go). */
export const ENDPOINT_POLICY_TYPES = [
  'PortMapping',
  'ACL',
  'QOS',
  'L2Driver',
  'OutBoundNAT',
  'SDNRoute',
  'L4Proxy',
  'L4WFPPROXY',
  'ProviderAddress',
  'PortName',
  'EncapOverhead',
  'InterfaceConstraint',
  'Encryption',
  'VLAN',
  'InterfaceParameters',
  'Iov',
  'TierAcl',
  'Firewall',
] as const;

/** Every network policy type HNS knows (HNS schema NetworkPolicyType; hcsshim hcn/hcnpolicy.go). */
export const NETWORK_POLICY_TYPES = [
  'NetAdapterName',
  'SourceMacAddress',
  'InterfaceConstraint',
  'ProviderAddress',
  'VSwitchExtension',
  'DrMacAddress',
  'AutomaticDNS',
  'RemoteSubnetRoute',
  'VxlanPort',
  'HostRoute',
  'SetPolicy',
  'L4Proxy',
  'LayerConstraint',
  'NetworkACL',
] as const;

const typed = <T extends string, S extends z.ZodType>(type: T, settings: S) =>
  ciObject({ Type: z.literal(type), Settings: settings });

const ENDPOINT_TYPED = ['PortMapping', 'ACL', 'OutBoundNAT', 'SDNRoute'];
const NETWORK_TYPED = ['NetAdapterName'];

/** A policy whose type this module does not model: Settings kept as sent. */
const otherPolicy = (typedOnes: readonly string[]) =>
  ciObject({
    Type: z.string().refine((t) => !typedOnes.includes(t), 'settings do not match the policy type'),
    Settings: z.unknown().optional(),
  });

export const EndpointPolicy = z.union([
  typed('PortMapping', PortMappingSettings),
  typed('ACL', AclSettings),
  typed('OutBoundNAT', OutboundNatSettings),
  typed('SDNRoute', SdnRouteSettings),
  otherPolicy(ENDPOINT_TYPED),
]);
export type EndpointPolicy = z.infer<typeof EndpointPolicy>;

export const NetworkPolicy = z.union([typed('NetAdapterName', NetAdapterNameSettings), otherPolicy(NETWORK_TYPED)]);
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;

export type PortMappingPolicy = { Type: 'PortMapping'; Settings: PortMappingSettings };
export const isPortMapping = (p: EndpointPolicy): p is PortMappingPolicy => p.Type === 'PortMapping';

/** The Settings of the first policy of `type` in a list, typed by the caller's schema. */
export function policySettings<S extends z.ZodType>(
  policies: readonly { Type: string; Settings?: unknown }[],
  type: string,
  schema: S,
): z.infer<S> | undefined {
  const p = policies.find((x) => x.Type === type);
  return p === undefined ? undefined : schema.parse(p.Settings ?? {});
}
