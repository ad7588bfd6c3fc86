/**
 * Pieces shared by the HNS v2 documents (hcsshim hcn/hcn.go and the HNS schema, learn.microsoft.com/virtualization/api/hcn/HNS_Schema). Readers are tolerant: keys match
 * case-insensitively (HNS writes `ID`, hcsshim `Id`) and zero values may be missing, because HNS
 * omits zero-valued fields and enums (a NAT network comes back without `Type`).
 */
import * as z from '../../spec/zod';
import { ciObject } from '../../spec/keys';

const GUID_RE = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** HNS's JSON "Guid" type (the HNS schema, learn.microsoft.com/virtualization/api/hcn/HNS_Schema): 36 characters, no braces, either case. */
export const Guid = z.string().regex(GUID_RE, 'not a GUID');

export const Uint8 = z.number().int().min(0).max(0xff);
export const Uint16 = z.number().int().min(0).max(0xffff);
export const Uint32 = z.number().int().min(0).max(0xffffffff);

/**
 * An HNS enum: written as its name, but numbers are accepted too (Microsoft samples send
 * `"Type": 0`); the number is the position in `names`. Reads to the name. Names match exactly:
 * whether HNS folds case in enum values is not known, and a strict reader keeps clients honest [I].
 */
export function hnsEnum<const T extends readonly [string, ...string[]]>(names: T) {
  return z
    .union([
      z.enum(names),
      z
        .number()
        .int()
        .min(0)
        .max(names.length - 1),
    ])
    .transform((v): T[number] => (typeof v === 'number' ? (names[v] as T[number]) : v));
}

/** An hnsEnum whose zero value (the first name) is what a missing key means. */
export const hnsEnumOrZero = <const T extends readonly [string, ...string[]]>(names: T) =>
  // The cast only bridges zod's NoUndefined<Awaited<...>> over a generic T; names[0] is a T[number].
  hnsEnum(names).default(names[0] as never);

export const SchemaVersion = ciObject({ Major: Uint32.default(0), Minor: Uint32.default(0) });
export type SchemaVersion = z.infer<typeof SchemaVersion>;

export const V2_SCHEMA: SchemaVersion = { Major: 2, Minor: 0 };

export const Route = ciObject({
  NextHop: z.string().optional(),
  DestinationPrefix: z.string().optional(),
  Metric: Uint16.optional(),
});
export type Route = z.infer<typeof Route>;

export const Dns = ciObject({
  Domain: z.string().optional(),
  Search: z.array(z.string()).optional(),
  ServerList: z.array(z.string()).optional(),
  Options: z.array(z.string()).optional(),
});
export type Dns = z.infer<typeof Dns>;

export const MacRange = ciObject({
  StartMacAddress: z.string().optional(),
  EndMacAddress: z.string().optional(),
});
export const MacPool = ciObject({ Ranges: z.array(MacRange).optional() });
export type MacPool = z.infer<typeof MacPool>;

/** SubnetFlags: DoNotReserveGatewayAddress keeps the gateway allocatable (ManagementIP == gateway). */
export const SubnetFlags = { None: 0, DoNotReserveGatewayAddress: 1 } as const;

export const Subnet = ciObject({
  IpAddressPrefix: z.string().optional(),
  /** Subnet policies (VLAN, VSID) are kept as raw JSON, as hcsshim does. */
  Policies: z.array(z.unknown()).optional(),
  Routes: z.array(Route).optional(),
  Flags: Uint32.default(0),
});
export type Subnet = z.infer<typeof Subnet>;

export const IpamType = ['Static', 'Dhcp'] as const;
export const Ipam = ciObject({
  Type: hnsEnumOrZero(IpamType),
  Subnets: z.array(Subnet).default([]),
});
export type Ipam = z.infer<typeof Ipam>;

export const IpConfig = ciObject({
  IpAddress: z.string(),
  PrefixLength: Uint8.optional(),
  IpSubnetId: z.string().optional(),
});
export type IpConfig = z.infer<typeof IpConfig>;

/** Health is opaque to clients; hcsshim always sends `{"Extra":{}}`. */
export const Health = z.unknown();

/** The policy wrapper every policy list uses: `{"Type": ..., "Settings": ...}` (not the obsolete `Data`). */
export const PolicyEnvelope = ciObject({ Type: z.string(), Settings: z.unknown().optional() });
export type PolicyEnvelope = z.infer<typeof PolicyEnvelope>;
