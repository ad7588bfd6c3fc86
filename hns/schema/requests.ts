/**
 * What clients send besides the objects themselves: the HostComputeQuery of the Enumerate and Query calls,
 * the Modify* requests, HNS's ErrorRecord and the v1 HNSCall envelope (hcsshim hcn/hcn.go HostComputeQuery, hcn/hcnnamespace.go and
 * hcnendpoint.go ModifyRequest, hcn/hcnglobals.go hnsResponse; the ErrorRecord as antrea-io/antrea#2301 quotes it).
 */
import * as z from '../../spec/zod';
import { ciLooseObject, ciObject } from '../../spec/keys';
import { Dns, SchemaVersion, Subnet, Uint32, hnsEnum } from './common';
import { EndpointPolicy, NetworkPolicy } from './policies';

/** Flags: None 0 (standard properties), Detailed 1 (all properties). */
export const QueryFlags = { None: 0, Detailed: 1 } as const;

/** `Filter` is a string that itself holds a JSON object (double-encoded), as hcsshim sends it. */
export const HostComputeQuery = ciObject({
  SchemaVersion: SchemaVersion.optional(),
  Flags: Uint32.default(0),
  Filter: z.string().optional(),
});
export type HostComputeQuery = z.infer<typeof HostComputeQuery>;

/** A filter is a flat object of property -> value, matched by equality [I]. */
export const QueryFilter = z.record(z.string(), z.unknown());
export type QueryFilter = z.infer<typeof QueryFilter>;

/** Numeric RequestType values follow the enum order [I]; the sample sends 0 for Add. */
export const RequestType = ['Add', 'Remove', 'Update', 'Refresh', 'Reset'] as const;
export type RequestType = (typeof RequestType)[number];

/** The generic ModifySettingRequest; ResourceType is read per object kind below. */
export const ModifyRequest = ciObject({
  ResourceType: z.union([z.string(), z.number().int().nonnegative()]),
  RequestType: hnsEnum(RequestType),
  Settings: z.unknown().optional(),
  ResourceUri: z.string().optional(),
});
export type ModifyRequest = z.infer<typeof ModifyRequest>;

/** HcnModifyNamespace resource types: Container 0, Endpoint 1 (the sample sends 1 for Endpoint). */
export const NamespaceModifyResourceType = hnsEnum(['Container', 'Endpoint'] as const);
export const NamespaceEndpointRequest = ciObject({ EndpointId: z.string() });
export const NamespaceContainerRequest = ciObject({ ContainerId: z.string() });

/** HcnModifyEndpoint resource types: Port 0, Policy 1 [I from the sample's order]. */
export const EndpointModifyResourceType = hnsEnum(['Port', 'Policy'] as const);
export const EndpointPolicyRequest = ciObject({ Policies: z.array(EndpointPolicy).default([]) });

/** HcnModifyNetwork resource types, in schema order [I for the numbers]. */
export const NetworkModifyResourceType = hnsEnum(['Policy', 'DNS', 'Extension', 'Subnet', 'IPSubnet'] as const);
export const NetworkPolicyRequest = ciObject({ Policies: z.array(NetworkPolicy).default([]) });
export const NetworkSubnetRequest = ciObject({ Subnets: z.array(Subnet).default([]) });
export const NetworkDnsRequest = Dns;

/** The result error schema: `{"Success":false,"Error":"<text> ","ErrorCode":<unsigned HRESULT>}`. */
export const ErrorRecord = ciLooseObject({
  Success: z.boolean().default(false),
  Error: z.string().default(''),
  ErrorCode: z.number().optional(),
});
export type ErrorRecord = z.infer<typeof ErrorRecord>;

/** v1 HNSCall response envelope. */
export const HnsCallResponse = ciObject({
  Success: z.boolean().default(false),
  Error: z.string().optional(),
  ErrorCode: z.number().optional(),
  Output: z.unknown().optional(),
});
export type HnsCallResponse = z.infer<typeof HnsCallResponse>;

/** Output of v1 `GET /globals/version`. */
export const HnsVersion = ciObject({ Major: z.number().int().nonnegative(), Minor: z.number().int().nonnegative() });
export type HnsVersion = z.infer<typeof HnsVersion>;
