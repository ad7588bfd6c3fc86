/**
 * Query*Properties output, shaped as HNS writes it (hcsshim hcn/hcnnetwork.go on the omitted NAT
 * Type; Get-HnsEndpoint and Get-HnsNamespace output in microsoft/Windows-Containers#563, projectcalico/calico#8465): v2 key spellings, zero
 * enums and zero flags omitted (a NAT network has no `Type`), IDs in the letter case HNS uses.
 */
import { dnsObject, ipConfigObject, ipamObject, macPoolObject, policyObject, routeObject } from '../../schema';
import { ZERO_GUID } from '../../guid';
import { parseVersion } from '../settings';
import type { EndpointRecord, NamespaceRecord, NetworkRecord, SimState } from '../state';

type Obj = Record<string, unknown>;
const cased = (id: string, c: 'lower' | 'upper') => (c === 'upper' ? id.toUpperCase() : id.toLowerCase());

export const networkIdText = (s: SimState, id: string) => cased(id, s.settings.networkIdCase);
export const endpointIdText = (s: SimState, id: string) => cased(id, s.settings.endpointIdCase);
export const namespaceIdText = (s: SimState, id: string) => cased(id, s.settings.namespaceIdCase);

/** `Version` is the service version packed as (Major << 32) | Minor [I from observed values]. */
export function packedVersion(s: SimState): number {
  const v = parseVersion(s.settings.hnsVersion);
  return v.major * 2 ** 32 + v.minor;
}

export function renderNetwork(s: SimState, n: NetworkRecord): Obj {
  const out: Obj = { ID: networkIdText(s, n.id), Name: n.name };
  if (n.type !== 'NAT') out.Type = n.type;
  out.Ipams = n.ipams.map((i) => ipamObject({ ...i, Type: i.Type === 'Static' ? undefined : i.Type } as never));
  out.MacPool = macPoolObject(n.macPool);
  out.Dns = dnsObject(n.dns);
  out.Policies = n.policies.map(policyObject);
  if (n.flags !== 0) out.Flags = n.flags;
  out.Health = { Extra: {} };
  out.SchemaVersion = n.schemaVersion;
  out.Version = packedVersion(s);
  out.State = 1;
  return out;
}

export function renderEndpoint(s: SimState, e: EndpointRecord): Obj {
  const out: Obj = { ID: endpointIdText(s, e.id), Name: e.name, HostComputeNetwork: networkIdText(s, e.networkId) };
  if (e.namespaceId !== undefined) out.HostComputeNamespace = cased(e.namespaceId, s.settings.endpointNamespaceCase);
  else if (s.settings.unattachedEndpointNamespace === 'zeroGuid') out.HostComputeNamespace = ZERO_GUID;
  out.Policies = e.policies.map(policyObject);
  out.IpConfigurations = e.ipConfigurations.map(ipConfigObject);
  out.Dns = dnsObject(e.dns);
  out.Routes = e.routes.map(routeObject);
  out.MacAddress = e.macAddress;
  if (e.flags !== 0) out.Flags = e.flags;
  out.SchemaVersion = e.schemaVersion;
  return out;
}

export function renderNamespace(s: SimState, n: NamespaceRecord): Obj {
  const out: Obj = { ID: namespaceIdText(s, n.id) };
  if (n.namespaceId !== 0) out.NamespaceId = n.namespaceId;
  if (n.type !== 'Host') out.Type = n.type;
  if (n.resources.length > 0) {
    out.Resources = n.resources.map((r) => {
      const id = r.type === 'Endpoint' ? cased(r.id, s.settings.namespaceResourceIdCase) : r.id;
      // Container is the zero resource type, so HNS leaves its Type out [I, as for other zero enums].
      return r.type === 'Endpoint' ? { Type: 'Endpoint', Data: { Id: id } } : { Data: { Id: id } };
    });
  }
  out.SchemaVersion = n.schemaVersion;
  return out;
}
