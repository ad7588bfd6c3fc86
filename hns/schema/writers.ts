/**
 * Writers: the JSON a client sends to HNS, with hcsshim's exact key spellings, key order (Go
 * struct field order) and `omitempty` behaviour, so that the requests are byte-for-byte what the
 * Go `nat` plugin sends (hcsshim hcn/hcnnetwork.go, hcnendpoint.go, hcn.go; the plugin is
 * microsoft/windows-container-networking, network/network.go and network/endpoint.go).
 */
import type { Dns, IpConfig, Ipam, MacPool, Route, SchemaVersion, Subnet } from './common';
import { V2_SCHEMA } from './common';
import type { HostComputeEndpoint, HostComputeNamespace, HostComputeNetwork } from './objects';
import type { RequestType } from './requests';

type Obj = Record<string, unknown>;
/** [key, omitempty, how to write the value] */
type Field = readonly [key: string, omitEmpty: boolean, write?: (v: never) => unknown];

/** Go's omitempty: false, 0, "", nil, and empty slices and maps (structs are never empty). */
const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0);

function ordered(src: object | undefined, fields: readonly Field[]): Obj {
  const s = (src ?? {}) as Obj;
  const out: Obj = {};
  for (const [key, omitEmpty, write] of fields) {
    const v = s[key];
    if (omitEmpty && isEmpty(v)) continue;
    out[key] = write ? (write as (x: unknown) => unknown)(v) : (v ?? null);
  }
  return out;
}

const list =
  <T>(write: (x: T) => unknown) =>
  (v: readonly T[] | undefined) =>
    (v ?? []).map(write);

export const schemaVersionObject = (v: SchemaVersion | undefined) =>
  ordered(v ?? V2_SCHEMA, [
    ['Major', false],
    ['Minor', false],
  ]);
export const routeObject = (r: Route) =>
  ordered(r, [
    ['NextHop', true],
    ['DestinationPrefix', true],
    ['Metric', true],
  ]);
export const dnsObject = (d: Dns | undefined) =>
  ordered(d, [
    ['Domain', true],
    ['Search', true],
    ['ServerList', true],
    ['Options', true],
  ]);
export const macPoolObject = (m: MacPool | undefined) =>
  ordered(m, [
    [
      'Ranges',
      true,
      list((r: Obj) =>
        ordered(r, [
          ['StartMacAddress', true],
          ['EndMacAddress', true],
        ]),
      ),
    ],
  ]);
export const subnetObject = (s: Subnet) =>
  ordered(s, [
    ['IpAddressPrefix', true],
    ['Policies', true],
    ['Routes', true, list(routeObject)],
    ['Flags', true],
  ]);
export const ipamObject = (i: Ipam) =>
  ordered(i, [
    ['Type', true],
    ['Subnets', true, list(subnetObject)],
  ]);
export const ipConfigObject = (c: IpConfig) =>
  ordered(c, [
    ['IpAddress', true],
    ['PrefixLength', true],
    ['IpSubnetId', true],
  ]);
/** hcsshim's Health struct marshals as `{"Extra":{}}` when empty. */
const health = (h: unknown) => (h === undefined ? { Extra: {} } : h);

/** Key order of the policy settings hcsshim builds; other policy types are written as given. */
const SETTINGS_FIELDS: Record<string, readonly Field[]> = {
  PortMapping: [
    ['Protocol', true],
    ['InternalPort', true],
    ['ExternalPort', true],
    ['VIP', true],
    ['Flags', true],
  ],
  ACL: [
    ['Id', true],
    ['Protocols', true],
    ['Action', false],
    ['Direction', false],
    ['LocalAddresses', true],
    ['RemoteAddresses', true],
    ['LocalPorts', true],
    ['RemotePorts', true],
    ['RuleType', true],
    ['Priority', true],
  ],
  OutBoundNAT: [
    ['VirtualIP', true],
    ['Exceptions', true],
    ['Destinations', true],
    ['Flags', true],
    ['MaxPortPoolUsage', true],
  ],
  SDNRoute: [
    ['DestinationPrefix', true],
    ['NextHop', true],
    ['NeedEncap', true],
  ],
  NetAdapterName: [['NetworkAdapterName', false]],
};

export type PolicyInput = { Type: string; Settings?: unknown };

export function policyObject(p: PolicyInput): Obj {
  const fields = SETTINGS_FIELDS[p.Type];
  const settings = fields && p.Settings !== undefined ? ordered(p.Settings as Obj, fields) : p.Settings;
  return ordered({ Type: p.Type, Settings: settings }, [
    ['Type', false],
    ['Settings', true],
  ]);
}

export type NetworkRequest = Partial<Omit<HostComputeNetwork, 'Policies'>> & { Policies?: PolicyInput[] };

export function networkRequestObject(n: NetworkRequest): Obj {
  return ordered(n, [
    ['ID', true],
    ['Name', true],
    ['Type', true],
    ['Policies', true, list(policyObject)],
    ['MacPool', false, macPoolObject],
    ['Dns', false, dnsObject],
    ['Ipams', true, list(ipamObject)],
    ['Flags', true],
    ['Health', false, health],
    ['SchemaVersion', false, schemaVersionObject],
  ]);
}

export type EndpointRequest = Partial<Omit<HostComputeEndpoint, 'Policies'>> & { Policies?: PolicyInput[] };

export function endpointRequestObject(e: EndpointRequest): Obj {
  return ordered(e, [
    ['ID', true],
    ['Name', true],
    ['HostComputeNetwork', true],
    ['HostComputeNamespace', true],
    ['Policies', true, list(policyObject)],
    ['IpConfigurations', true, list(ipConfigObject)],
    ['Dns', false, dnsObject],
    ['Routes', true, list(routeObject)],
    ['MacAddress', true],
    ['Flags', true],
    ['Health', false, health],
    ['SchemaVersion', false, schemaVersionObject],
  ]);
}

export type NamespaceRequest = Partial<HostComputeNamespace>;

/** containerd sends SchemaVersion 0.0 (`{"SchemaVersion":{"Major":0,"Minor":0}}`); hcsshim's NewNamespace 2.0. */
export function namespaceRequestObject(n: NamespaceRequest): Obj {
  return ordered(n, [
    ['ID', true],
    ['NamespaceId', true],
    ['Type', true],
    ['Resources', true],
    ['SchemaVersion', false, schemaVersionObject],
  ]);
}

export const writeNetworkRequest = (n: NetworkRequest): string => JSON.stringify(networkRequestObject(n));
export const writeEndpointRequest = (e: EndpointRequest): string => JSON.stringify(endpointRequestObject(e));
export const writeNamespaceRequest = (n: NamespaceRequest): string => JSON.stringify(namespaceRequestObject(n));

/** `{"SchemaVersion":{"Major":2,"Minor":0}}`, plus `Flags` and a double-encoded `Filter` when given. */
export function writeQuery(
  opts: { filter?: Record<string, unknown>; flags?: number; schemaVersion?: SchemaVersion } = {},
): string {
  return JSON.stringify(
    ordered(
      { SchemaVersion: opts.schemaVersion, Flags: opts.flags, Filter: opts.filter && JSON.stringify(opts.filter) },
      [
        ['SchemaVersion', false, schemaVersionObject],
        ['Flags', true],
        ['Filter', true],
      ],
    ),
  );
}

const modify = (resourceType: string, requestType: RequestType, settings: unknown): string =>
  JSON.stringify({ ResourceType: resourceType, RequestType: requestType, Settings: settings });

/** hcsshim AddNamespaceEndpoint / RemoveNamespaceEndpoint. */
export const writeNamespaceEndpointRequest = (requestType: 'Add' | 'Remove', endpointId: string): string =>
  modify('Endpoint', requestType, { EndpointId: endpointId });

/** hcsshim ModifyEndpointSettings with a policy list (ApplyPolicy uses Update, AddPolicy Add). */
export const writeEndpointPolicyRequest = (requestType: RequestType, policies: PolicyInput[]): string =>
  modify('Policy', requestType, { Policies: policies.map(policyObject) });

/** hcsshim AddPolicy / RemovePolicy on a network. */
export const writeNetworkPolicyRequest = (requestType: RequestType, policies: PolicyInput[]): string =>
  modify('Policy', requestType, { Policies: policies.map(policyObject) });
