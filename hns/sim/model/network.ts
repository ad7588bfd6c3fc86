/** HcnCreateNetwork / Modify / Delete on the model (hcsshim hcn/hcnnetwork.go; moby/moby#40345 for duplicate names). */
import { randomInt } from 'node:crypto';
import {
  Dns,
  HostComputeNetwork,
  type MacPool,
  ModifyRequest,
  NetworkFlags,
  NetworkModifyResourceType,
  NetworkMode,
  NetworkPolicyRequest,
  NetworkSubnetRequest,
  type NetworkPolicy,
} from '../../schema';
import { isZeroGuid, randomGuid } from '../../guid';
import { type Cidr, cidrsOverlap, formatMac, parseMac } from '../ip';
import { hasFeature } from '../settings';
import type { NetworkRecord, SimState } from '../state';
import { fail, getKey, parseDocument, parseWith } from './failure';
import { validateNetworkPolicies } from './policies';
import { chooseSubnet, subnetsOf, validateSubnets } from './subnets';
import { detachEndpoint } from './namespace';

export function findNetwork(state: SimState, id: string): NetworkRecord {
  return state.networks.find((n) => n.id === id) ?? fail('HCN_E_NETWORK_NOT_FOUND', `network ${id}`);
}

/** HNS gives a NAT network a 4096-address pool 00-15-5D-XX-Y0-00..00-15-5D-XX-YF-FF [O dumps]. */
function defaultMacPool(): MacPool {
  const base = (0x00155dn << 24n) | (BigInt(randomInt(0, 256)) << 16n) | (BigInt(randomInt(0, 16)) << 12n);
  return { Ranges: [{ StartMacAddress: formatMac(base), EndMacAddress: formatMac(base + 0xfffn) }] };
}

function checkMacPool(pool: MacPool): MacPool {
  const ranges = (pool.Ranges ?? []).map((r) => {
    const start = r.StartMacAddress ? parseMac(r.StartMacAddress) : undefined;
    const end = r.EndMacAddress ? parseMac(r.EndMacAddress) : undefined;
    if (start === undefined || end === undefined || end < start) fail('HCN_E_INVALID_NETWORK', 'MacPool range');
    return { StartMacAddress: formatMac(start), EndMacAddress: formatMac(end) };
  });
  return ranges.length > 0 ? { Ranges: ranges } : defaultMacPool();
}

const natPrefixes = (state: SimState, except?: string): Cidr[] =>
  state.networks
    .filter((n) => n.type === 'NAT' && n.id !== except)
    .flatMap((n) => subnetsOf(n.ipams).map((i) => i.cidr));

function checkNatOverlap(state: SimState, net: NetworkRecord): void {
  if (net.type !== 'NAT' || state.settings.natSubnetOverlap === 'allow') return;
  const others = natPrefixes(state, net.id);
  for (const mine of subnetsOf(net.ipams)) {
    // WinNAT cannot hold two overlapping internal prefixes [O moby#29207: "Unspecified error"].
    if (others.some((o) => cidrsOverlap(o, mine.cidr)))
      fail('E_FAIL', `subnet ${mine.subnet.IpAddressPrefix} overlaps another NAT network`);
  }
}

export function createNetwork(state: SimState, requestedId: string, settings: string): string {
  const s = state.settings;
  const doc = parseDocument(settings);
  const rawType = getKey(doc, 'Type');
  if (
    rawType !== undefined &&
    !(NetworkMode as readonly unknown[]).includes(rawType) &&
    !(typeof rawType === 'number' && rawType >= 0 && rawType < NetworkMode.length)
  ) {
    fail('HCN_E_INVALID_NETWORK_TYPE', `Type ${JSON.stringify(rawType)}`);
  }
  const policies = validateNetworkPolicies(s, getKey(doc, 'Policies'));
  const req = parseWith(HostComputeNetwork, { ...doc, Policies: [] }, 'HCN_E_INVALID_NETWORK', 'network');

  const id = isZeroGuid(requestedId) ? randomGuid() : requestedId;
  if (state.networks.some((n) => n.id === id)) fail('HCN_E_NETWORK_ALREADY_EXISTS', `network ${id}`);
  if (s.duplicateNetworkName === 'reject' && req.Name !== '' && state.networks.some((n) => n.name === req.Name)) {
    fail('HCN_E_NETWORK_ALREADY_EXISTS');
  }
  if (req.Flags & NetworkFlags.DisableHostPort && !hasFeature(s, 'DisableHostPort')) {
    fail('HCN_E_INVALID_NETWORK', `Flags DisableHostPort needs HNS 15.1 or later (this is ${s.hnsVersion})`);
  }

  let ipams = req.Ipams;
  validateSubnets(s, ipams);
  if (req.Type === 'NAT' && subnetsOf(ipams).length === 0) {
    if (s.networkWithoutSubnet === 'reject') fail('ERROR_NOT_FOUND');
    ipams = [{ Type: 'Static', Subnets: [chooseSubnet(natPrefixes(state))] }];
  }

  const net: NetworkRecord = {
    id,
    name: req.Name,
    type: req.Type,
    flags: req.Flags,
    ipams,
    macPool: checkMacPool(req.MacPool ?? {}),
    dns: req.Dns,
    policies,
    schemaVersion: req.SchemaVersion ?? { Major: 2, Minor: 0 },
  };
  checkNatOverlap(state, net);
  state.networks.push(net);
  return id;
}

export function deleteNetwork(state: SimState, id: string): void {
  findNetwork(state, id);
  const endpoints = state.endpoints.filter((e) => e.networkId === id);
  if (endpoints.length > 0 && state.settings.deleteNetworkWithEndpoints === 'refuse') {
    fail('HCN_E_ENTITY_HAS_REFERENCES', `network ${id} has ${endpoints.length} endpoint(s)`);
  }
  for (const ep of endpoints) detachEndpoint(state, ep);
  state.endpoints = state.endpoints.filter((e) => e.networkId !== id);
  state.networks = state.networks.filter((n) => n.id !== id);
}

const samePolicy = (a: NetworkPolicy, b: NetworkPolicy) =>
  a.Type === b.Type && JSON.stringify(a.Settings) === JSON.stringify(b.Settings);

export function modifyNetwork(state: SimState, id: string, settings: string): void {
  const net = findNetwork(state, id);
  const s = state.settings;
  const req = parseWith(ModifyRequest, parseDocument(settings), 'HCN_E_INVALID_JSON', 'modify request');
  const resource = parseWith(NetworkModifyResourceType, req.ResourceType, 'HCN_E_REQUEST_UNSUPPORTED', 'ResourceType');
  if (resource === 'Policy') {
    const raw = getKey(req.Settings, 'Policies');
    const policies = validateNetworkPolicies(s, raw);
    parseWith(NetworkPolicyRequest, req.Settings ?? {}, 'HCN_E_INVALID_POLICY', 'Settings');
    if (req.RequestType === 'Add') {
      for (const p of policies) {
        if (net.policies.some((q) => samePolicy(p, q))) fail('HCN_E_POLICY_ALREADY_EXISTS', p.Type);
        net.policies.push(p);
      }
    } else if (req.RequestType === 'Remove') {
      for (const p of policies) {
        const i = net.policies.findIndex((q) => samePolicy(p, q));
        if (i < 0) fail('HCN_E_POLICY_NOT_FOUND', p.Type);
        net.policies.splice(i, 1);
      }
    } else if (req.RequestType === 'Update' || req.RequestType === 'Refresh') {
      const types = new Set(policies.map((p) => p.Type));
      net.policies = [...net.policies.filter((p) => !types.has(p.Type)), ...policies];
    } else {
      fail('HCN_E_REQUEST_UNSUPPORTED', `${req.RequestType} of network policies`);
    }
    return;
  }
  if (resource === 'DNS' && (req.RequestType === 'Update' || req.RequestType === 'Add')) {
    net.dns = parseWith(Dns, req.Settings ?? {}, 'HCN_E_INVALID_NETWORK', 'DNS settings');
    return;
  }
  if (resource === 'Subnet' && req.RequestType === 'Add') {
    const subnets = parseWith(
      NetworkSubnetRequest,
      req.Settings ?? {},
      'HCN_E_INVALID_SUBNET',
      'Subnet settings',
    ).Subnets;
    const first = net.ipams[0] ?? { Type: 'Static' as const, Subnets: [] };
    const ipams = [{ ...first, Subnets: [...first.Subnets, ...subnets] }, ...net.ipams.slice(1)];
    validateSubnets(s, ipams);
    const candidate = { ...net, ipams };
    checkNatOverlap(state, candidate);
    net.ipams = ipams;
    return;
  }
  fail('HCN_E_REQUEST_UNSUPPORTED', `${req.RequestType} ${resource} on a network`);
}
