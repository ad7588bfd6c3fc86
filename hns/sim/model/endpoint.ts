/** HcnCreateEndpoint / Modify / Delete on the model (hcsshim hcn/hcnendpoint.go, hcn/hcnpolicy.go). */
import {
  type EndpointPolicy,
  EndpointModifyResourceType,
  EndpointPolicyRequest,
  HostComputeEndpoint,
  type IpConfig,
  ModifyRequest,
  type Route,
} from '../../schema';
import { isZeroGuid, parseGuid, randomGuid } from '../../guid';
import { type Ip, cidrContains, formatIp, formatMac, parseIp, parseMac } from '../ip';
import { hasFeature } from '../settings';
import type { EndpointRecord, NetworkRecord, SimState } from '../state';
import { fail, getKey, parseDocument, parseWith } from './failure';
import { findNetwork } from './network';
import { detachEndpoint } from './namespace';
import { type PortKey, describePort, portKeys, portsClash, validateEndpointPolicies } from './policies';
import { type SubnetInfo, allocateAddress, isReserved, subnetsOf, validateRoute } from './subnets';

export function findEndpoint(state: SimState, id: string): EndpointRecord {
  return state.endpoints.find((e) => e.id === id) ?? fail('HCN_E_ENDPOINT_NOT_FOUND', `endpoint ${id}`);
}

const usedAddresses = (state: SimState, except?: string): Set<string> =>
  new Set(
    state.endpoints
      .filter((e) => e.id !== except)
      .flatMap((e) =>
        e.ipConfigurations
          .map((c) => parseIp(c.IpAddress))
          .filter((x): x is Ip => x !== undefined)
          .map(formatIp),
      ),
  );

/** Port mappings are host-wide (WinNAT static mappings): check against every other endpoint. */
function checkPortConflicts(state: SimState, policies: readonly EndpointPolicy[], except?: string): void {
  const mine = portKeys(policies);
  const taken: PortKey[] = state.endpoints.filter((e) => e.id !== except).flatMap((e) => portKeys(e.policies));
  mine.forEach((k, i) => {
    if (taken.some((t) => portsClash(t, k)) || mine.slice(0, i).some((t) => portsClash(t, k))) {
      fail('HCN_E_PORT_ALREADY_EXISTS', describePort(k));
    }
  });
}

/** The MAC: as requested, or the lowest free one in the pool after the first, which the host vNIC holds [I]. */
function chooseMac(state: SimState, net: NetworkRecord, requested: string | undefined): string {
  if (requested !== undefined) {
    const mac = parseMac(requested) ?? fail('HCN_E_INVALID_ENDPOINT', `MacAddress ${JSON.stringify(requested)}`);
    return formatMac(mac);
  }
  const used = new Set(state.endpoints.map((e) => e.macAddress));
  for (const r of net.macPool.Ranges ?? []) {
    const start = parseMac(r.StartMacAddress ?? '');
    const end = parseMac(r.EndMacAddress ?? '');
    if (start === undefined || end === undefined) continue;
    for (let v = start + 1n; v <= end; v++) if (!used.has(formatMac(v))) return formatMac(v);
  }
  return fail('HCN_E_INVALID_ENDPOINT', 'the network MAC pool is exhausted');
}

type Placed = { config: IpConfig; info: SubnetInfo };

function placeStatic(state: SimState, subnets: SubnetInfo[], requested: IpConfig[]): Placed[] {
  const used = usedAddresses(state);
  return requested.map((c) => {
    const ip = parseIp(c.IpAddress) ?? fail('HCN_E_INVALID_IP', `IpAddress ${JSON.stringify(c.IpAddress)}`);
    if (ip.family === 6 && !hasFeature(state.settings, 'IPv6DualStack')) {
      fail('HCN_E_INVALID_IP', `IPv6 address needs HNS 11.10 or later (this is ${state.settings.hnsVersion})`);
    }
    const info = subnets.find((i) => cidrContains(i.cidr, ip)) ?? fail('HCN_E_INVALID_IP', c.IpAddress);
    if (isReserved(info, ip)) fail('HCN_E_ADDR_INVALID_OR_RESERVED', c.IpAddress);
    if (used.has(formatIp(ip)) && state.settings.duplicateStaticIp === 'reject')
      fail('HCN_E_ADDR_INVALID_OR_RESERVED', `${c.IpAddress} is in use`);
    used.add(formatIp(ip));
    return { config: { ...c, IpAddress: formatIp(ip), PrefixLength: c.PrefixLength ?? info.cidr.bits }, info };
  });
}

/** One address per family the network has a subnet of, IPv4 first [I for dual stack]. */
function placeDynamic(state: SimState, subnets: SubnetInfo[]): Placed[] {
  const used = usedAddresses(state);
  const placed: Placed[] = [];
  for (const family of [4, 6] as const) {
    const candidates = subnets.filter((i) => i.cidr.family === family);
    if (candidates.length === 0) continue;
    let got: Placed | undefined;
    for (const info of candidates) {
      const ip = allocateAddress(state.settings, info, used);
      if (ip) {
        got = { config: { IpAddress: formatIp(ip), PrefixLength: info.cidr.bits }, info };
        break;
      }
    }
    // A full subnet: the nearest code HNS has for "no subnet can take this endpoint" [I].
    if (!got) fail('HCN_E_SUBNET_NOT_FOUND', `no free address in the IPv${family} subnets`);
    used.add(got.config.IpAddress);
    placed.push(got);
  }
  return placed;
}

/** Without Routes HNS gives the endpoint the subnet's default route [O Windows-Containers#563]. */
function defaultRoutes(placed: Placed[]): Route[] {
  return placed.flatMap(({ info }) =>
    info.gateway
      ? [{ NextHop: formatIp(info.gateway), DestinationPrefix: info.cidr.family === 4 ? '0.0.0.0/0' : '::/0' }]
      : [],
  );
}

export function createEndpoint(state: SimState, networkId: string, requestedId: string, settings: string): string {
  const s = state.settings;
  const net = findNetwork(state, networkId);
  const doc = parseDocument(settings);
  const policies = validateEndpointPolicies(s, getKey(doc, 'Policies'), net.type);
  const req = parseWith(HostComputeEndpoint, { ...doc, Policies: [] }, 'HCN_E_INVALID_ENDPOINT', 'endpoint');

  if (req.HostComputeNetwork !== undefined && req.HostComputeNetwork !== '') {
    const named =
      parseGuid(req.HostComputeNetwork) ??
      fail('HCN_E_INVALID_ENDPOINT', `HostComputeNetwork ${JSON.stringify(req.HostComputeNetwork)}`);
    if (named !== net.id && s.endpointNetworkMismatch === 'reject') {
      fail(
        'HCN_E_INVALID_ENDPOINT',
        `HostComputeNetwork ${req.HostComputeNetwork} is not the network ${net.id} the call was made on`,
      );
    }
  }
  const id = isZeroGuid(requestedId) ? randomGuid() : requestedId;
  // No endpoint-specific "already exists" code; the Win32 one is the nearest [I].
  if (state.endpoints.some((e) => e.id === id)) fail('ERROR_ALREADY_EXISTS', `endpoint ${id}`);
  if (s.duplicateEndpointName === 'reject' && req.Name !== '' && state.endpoints.some((e) => e.name === req.Name)) {
    fail('ERROR_ALREADY_EXISTS', `endpoint name ${req.Name}`);
  }
  for (const r of req.Routes) validateRoute(r, 'HCN_E_INVALID_ENDPOINT');
  checkPortConflicts(state, policies);

  const subnets = subnetsOf(net.ipams);
  const placed =
    req.IpConfigurations.length > 0 ? placeStatic(state, subnets, req.IpConfigurations) : placeDynamic(state, subnets);
  // hcsshim always sends `"Dns":{}`; an empty one is "no DNS given" [I].
  const dnsGiven = Object.values(req.Dns ?? {}).some(
    (v) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0),
  );
  const dns = dnsGiven ? req.Dns : s.hostDns ? { ...s.hostDns } : req.Dns;

  state.endpoints.push({
    id,
    name: req.Name,
    networkId: net.id,
    policies,
    ipConfigurations: placed.map((p) => p.config),
    dns,
    routes: req.Routes.length > 0 ? req.Routes : defaultRoutes(placed),
    macAddress: chooseMac(state, net, req.MacAddress),
    flags: req.Flags,
    schemaVersion: req.SchemaVersion ?? { Major: 2, Minor: 0 },
  });
  return id;
}

export function deleteEndpoint(state: SimState, id: string): void {
  const ep = findEndpoint(state, id);
  if (ep.namespaceId !== undefined && state.settings.deleteAttachedEndpoint === 'refuse') {
    fail('HCN_E_ENTITY_HAS_REFERENCES', `endpoint ${id} is in namespace ${ep.namespaceId}`);
  }
  detachEndpoint(state, ep);
  state.endpoints = state.endpoints.filter((e) => e.id !== id);
}

const samePolicy = (a: EndpointPolicy, b: EndpointPolicy) =>
  a.Type === b.Type && JSON.stringify(a.Settings) === JSON.stringify(b.Settings);

export function modifyEndpoint(state: SimState, id: string, settings: string): void {
  const ep = findEndpoint(state, id);
  const net = findNetwork(state, ep.networkId);
  const req = parseWith(ModifyRequest, parseDocument(settings), 'HCN_E_INVALID_JSON', 'modify request');
  const resource = parseWith(EndpointModifyResourceType, req.ResourceType, 'HCN_E_REQUEST_UNSUPPORTED', 'ResourceType');
  // Port requests attach VM switch ports; the simulator has no VMs [I].
  if (resource === 'Port') fail('HCN_E_REQUEST_UNSUPPORTED', 'Port requests are not simulated');
  const policies = validateEndpointPolicies(state.settings, getKey(req.Settings, 'Policies'), net.type);
  parseWith(EndpointPolicyRequest, { ...(req.Settings as object), Policies: [] }, 'HCN_E_INVALID_POLICY', 'Settings');
  let next: EndpointPolicy[];
  switch (req.RequestType) {
    case 'Add':
      next = [...ep.policies];
      for (const p of policies) {
        if (next.some((q) => samePolicy(p, q))) fail('HCN_E_POLICY_ALREADY_EXISTS', p.Type);
        next.push(p);
      }
      break;
    case 'Remove':
      next = [...ep.policies];
      for (const p of policies) {
        const i = next.findIndex((q) => samePolicy(p, q));
        if (i < 0) fail('HCN_E_POLICY_NOT_FOUND', p.Type);
        next.splice(i, 1);
      }
      break;
    case 'Update':
    case 'Refresh': {
      // Update replaces the endpoint's policies of the types it names [I from hcsshim's ApplyPolicy use].
      const types = new Set(policies.map((p) => p.Type));
      next = [...ep.policies.filter((p) => !types.has(p.Type)), ...policies];
      break;
    }
    default:
      return fail('HCN_E_REQUEST_UNSUPPORTED', `${req.RequestType} of endpoint policies`);
  }
  checkPortConflicts(state, next, ep.id);
  ep.policies = next;
}
