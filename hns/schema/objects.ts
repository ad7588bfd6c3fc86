/**
 * The three HNS v2 objects the NAT path uses: HostComputeNetwork, HostComputeEndpoint,
 * HostComputeNamespace (hcsshim hcn/hcnnetwork.go, hcnendpoint.go, hcnnamespace.go). One schema reads both HNS output and client requests:
 * missing zero values get their defaults, so `Type` is 'NAT' when HNS leaves it out.
 */
import * as z from '../../spec/zod';
import { ciObject } from '../../spec/keys';
import {
  Dns,
  Guid,
  Health,
  IpConfig,
  Ipam,
  MacPool,
  Route,
  SchemaVersion,
  Uint32,
  hnsEnum,
  hnsEnumOrZero,
} from './common';
import { EndpointPolicy, NetworkPolicy } from './policies';

/** NetworkMode, in schema order (NAT is 0, hence omitted on output). */
export const NetworkMode = [
  'NAT',
  'ICS',
  'Transparent',
  'L2Bridge',
  'L2Tunnel',
  'Overlay',
  'Private',
  'Internal',
  'Mirrored',
  'Infiniband',
  'ConstrainedICS',
] as const;
export type NetworkMode = (typeof NetworkMode)[number];

/** NetworkFlags values hcsshim names (the older doc's IsolateVSwitch=8 conflicts; hcsshim wins). */
export const NetworkFlags = { None: 0, EnableNonPersistent: 8, DisableHostPort: 1024, EnableIov: 8192 } as const;

export const HostComputeNetwork = ciObject({
  ID: Guid.optional(),
  Name: z.string().default(''),
  Type: hnsEnumOrZero(NetworkMode),
  Policies: z.array(NetworkPolicy).default([]),
  MacPool: MacPool.optional(),
  Dns: Dns.optional(),
  Ipams: z.array(Ipam).default([]),
  Flags: Uint32.default(0),
  Health: Health.optional(),
  SchemaVersion: SchemaVersion.optional(),
  /** HNS service version packed as (Major << 32) | Minor [I from observed values]. */
  Version: z.number().optional(),
  State: z.number().optional(),
});
export type HostComputeNetwork = z.infer<typeof HostComputeNetwork>;

/** EndpointFlags as hcsshim names them. */
export const EndpointFlags = { None: 0, RemoteEndpoint: 1 } as const;

export const HostComputeEndpoint = ciObject({
  ID: Guid.optional(),
  Name: z.string().default(''),
  HostComputeNetwork: z.string().optional(),
  /** Read-only: set by HNS on namespace attach; absent or the zero GUID while unattached. */
  HostComputeNamespace: z.string().optional(),
  Policies: z.array(EndpointPolicy).default([]),
  IpConfigurations: z.array(IpConfig).default([]),
  Dns: Dns.optional(),
  Routes: z.array(Route).default([]),
  MacAddress: z.string().optional(),
  Flags: Uint32.default(0),
  Health: Health.optional(),
  SchemaVersion: SchemaVersion.optional(),
});
export type HostComputeEndpoint = z.infer<typeof HostComputeEndpoint>;

export const NamespaceType = ['Host', 'HostDefault', 'Guest', 'GuestDefault'] as const;
export type NamespaceType = (typeof NamespaceType)[number];
export const NamespaceResourceType = ['Container', 'Endpoint'] as const;

/** Resource data: HNS writes `{"Id": ...}`, hcsshim reads it as `ID`; both match here. */
export const NamespaceResourceData = ciObject({ Id: z.string() });

export const NamespaceResource = ciObject({
  Type: hnsEnumOrZero(NamespaceResourceType),
  Data: z.unknown().optional(),
});
export type NamespaceResource = z.infer<typeof NamespaceResource>;

export const HostComputeNamespace = ciObject({
  ID: Guid.optional(),
  NamespaceId: Uint32.default(0),
  NamespaceGuid: z.string().optional(),
  Type: hnsEnumOrZero(NamespaceType),
  Resources: z.array(NamespaceResource).default([]),
  SchemaVersion: SchemaVersion.optional(),
});
export type HostComputeNamespace = z.infer<typeof HostComputeNamespace>;

/** The endpoint IDs attached to a namespace, as hcsshim's GetNamespaceEndpointIds reads them. */
export function namespaceEndpointIds(ns: HostComputeNamespace): string[] {
  const ids: string[] = [];
  for (const r of ns.Resources) {
    if (r.Type !== 'Endpoint') continue;
    const data = NamespaceResourceData.safeParse(r.Data);
    if (data.success) ids.push(data.data.Id);
  }
  return ids;
}

export const NetworkType = hnsEnum(NetworkMode);
