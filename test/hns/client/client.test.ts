/**
 * The typed HNS client, run twice: against the in-process simulator and through the real FFI path
 * (koffi -> fake computenetwork library -> hns-sim serve). Same assertions, same answers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HR, HnsError, isNotFound } from '../../../hns/errors';
import {
  attachEndpoint,
  createEndpoint,
  createNamespace,
  createNetwork,
  deleteEndpoint,
  deleteNamespace,
  detachEndpoint,
  endpointNamespace,
  featuresOf,
  findEndpointByName,
  findNetworkByName,
  getEndpointById,
  getHnsVersion,
  getNamespace,
  getNetworkById,
  listEndpointsOfNetwork,
  modifyEndpointPolicies,
  namespaceHasEndpoint,
  NetworkRequestError,
  EndpointRequestError,
} from '../../../hns/client';
import type { NetworkRequest } from '../../../hns/schema';
import { addFault } from '../../../hns/sim/admin';
import { ffiBackend, simBackend, type Backend, type BackendSession } from './backends';

let counter = 0;
const unique = (base: string) => `${base}-${process.pid}-${++counter}`;

const natNetwork = (name: string, prefix = '10.40.0.0/24', gateway = '10.40.0.1'): NetworkRequest => ({
  Name: name,
  Type: 'NAT',
  Ipams: [
    {
      Type: 'Static',
      Subnets: [{ IpAddressPrefix: prefix, Routes: [{ NextHop: gateway, DestinationPrefix: '0.0.0.0/0' }], Flags: 0 }],
    },
  ],
});

const expectHresult = (fn: () => unknown, hr: number) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HnsError);
    expect((e as HnsError).hresult).toBe(hr);
    return e as HnsError;
  }
  throw new Error(`expected HRESULT 0x${hr.toString(16)}, the call succeeded`);
};

describe.each<Backend>([simBackend, ffiBackend])('hns/client over $name', (backend) => {
  let s: BackendSession;
  beforeAll(async () => {
    s = await backend.open();
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });
  afterEach(() => {
    // Every out-string freed and every handle closed, after every test.
    if (s.outstanding) expect(s.outstanding()).toEqual({ strings: 0, handles: 0 });
  });

  describe('networks', () => {
    it('creates a NAT network and finds it by name and by ID', () => {
      const name = unique('nat');
      const created = createNetwork(s.api, natNetwork(name));
      expect(created.ID).toMatch(/^[0-9a-f-]{36}$/i);
      expect(created.Type).toBe('NAT');
      const byName = findNetworkByName(s.api, name);
      expect(byName?.ID?.toLowerCase()).toBe(created.ID?.toLowerCase());
      expect(byName?.Ipams[0]?.Subnets[0]?.IpAddressPrefix).toBe('10.40.0.0/24');
      expect(getNetworkById(s.api, (created.ID as string).toUpperCase())?.Name).toBe(name);
    });

    it('round-trips non-ASCII names', () => {
      const name = unique('nat-Grüße-网络-🚀');
      createNetwork(s.api, natNetwork(name, '10.41.0.0/24', '10.41.0.1'));
      expect(findNetworkByName(s.api, name)?.Name).toBe(name);
    });

    it('answers not found with undefined, never an error', () => {
      expect(findNetworkByName(s.api, unique('missing'))).toBeUndefined();
      expect(getNetworkById(s.api, '0badc0de-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it('refuses a duplicate name with HCN_E_NETWORK_ALREADY_EXISTS', () => {
      const name = unique('dup');
      createNetwork(s.api, natNetwork(name, '10.42.0.0/24', '10.42.0.1'));
      expectHresult(
        () => createNetwork(s.api, natNetwork(name, '10.43.0.0/24', '10.43.0.1')),
        HR.HCN_E_NETWORK_ALREADY_EXISTS,
      );
    });

    it('refuses a subnet without a default route before calling HNS, as hcsshim does', () => {
      const req = natNetwork(unique('nogw'));
      req.Ipams = [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '10.44.0.0/24', Routes: [], Flags: 0 }] }];
      expect(() => createNetwork(s.api, req)).toThrow(NetworkRequestError);
    });
  });

  describe('endpoints and namespaces', () => {
    let networkId: string;
    beforeAll(() => {
      networkId = createNetwork(s.api, natNetwork(unique('ep'), '10.50.0.0/24', '10.50.0.1')).ID as string;
    });

    it('allocates an address and a Hyper-V MAC when the endpoint names none', () => {
      const ep = createEndpoint(s.api, networkId, { Name: unique('c1_ep') });
      const ip = ep.IpConfigurations[0]?.IpAddress ?? '';
      expect(ip).toMatch(/^10\.50\.0\.\d+$/);
      expect(['10.50.0.0', '10.50.0.1', '10.50.0.255']).not.toContain(ip);
      expect(ep.MacAddress).toMatch(/^00-15-5D(-[0-9A-F]{2}){3}$/);
      expect(ep.HostComputeNetwork?.toLowerCase()).toBe(networkId.toLowerCase());
    });

    it('gives distinct addresses to successive endpoints', () => {
      const a = createEndpoint(s.api, networkId, { Name: unique('a') });
      const b = createEndpoint(s.api, networkId, { Name: unique('b') });
      expect(a.IpConfigurations[0]?.IpAddress).not.toBe(b.IpConfigurations[0]?.IpAddress);
      const listed = listEndpointsOfNetwork(s.api, networkId).map((e) => e.ID?.toLowerCase());
      expect(listed).toEqual(expect.arrayContaining([a.ID?.toLowerCase(), b.ID?.toLowerCase()]));
    });

    it('honours a static address and refuses one outside the subnet', () => {
      const ep = createEndpoint(s.api, networkId, {
        Name: unique('static'),
        IpConfigurations: [{ IpAddress: '10.50.0.77', PrefixLength: 24 }],
      });
      expect(ep.IpConfigurations[0]?.IpAddress).toBe('10.50.0.77');
      expectHresult(
        () =>
          createEndpoint(s.api, networkId, { Name: unique('outside'), IpConfigurations: [{ IpAddress: '192.0.2.7' }] }),
        HR.HCN_E_INVALID_IP,
      );
    });

    it('reports a host port conflict with HCN_E_PORT_ALREADY_EXISTS', () => {
      const mapping = { Type: 'PortMapping', Settings: { Protocol: 6, InternalPort: 80, ExternalPort: 18080 } };
      createEndpoint(s.api, networkId, { Name: unique('web1'), Policies: [mapping] });
      expectHresult(
        () => createEndpoint(s.api, networkId, { Name: unique('web2'), Policies: [mapping] }),
        HR.HCN_E_PORT_ALREADY_EXISTS,
      );
    });

    it('refuses to create an endpoint on a network that does not exist', () => {
      const e = expectHresult(
        () => createEndpoint(s.api, 'deadbeef-0000-4000-8000-000000000000', { Name: unique('x') }),
        HR.HCN_E_NETWORK_NOT_FOUND,
      );
      expect(isNotFound(e)).toBe(true);
    });

    it('refuses a namespace in the create request, as hcsshim does', () => {
      expect(() =>
        createEndpoint(s.api, networkId, {
          Name: unique('x'),
          HostComputeNamespace: '37b9e55c-0000-4000-8000-000000000000',
        }),
      ).toThrow(EndpointRequestError);
    });

    it('finds an endpoint by name and by ID, whatever the GUID case', () => {
      const name = unique('find');
      const ep = createEndpoint(s.api, networkId, { Name: name });
      expect(findEndpointByName(s.api, name)?.ID?.toLowerCase()).toBe(ep.ID?.toLowerCase());
      expect(getEndpointById(s.api, (ep.ID as string).toUpperCase())?.Name).toBe(name);
      expect(findEndpointByName(s.api, unique('nobody'))).toBeUndefined();
    });

    it('attaches to and detaches from a namespace', () => {
      const ns = createNamespace(s.api, { SchemaVersion: { Major: 0, Minor: 0 } });
      const nsId = ns.ID as string;
      const ep = createEndpoint(s.api, networkId, { Name: unique('att') });
      const epId = ep.ID as string;
      const after = attachEndpoint(s.api, nsId, epId);
      expect(namespaceHasEndpoint(after, epId)).toBe(true);
      expect(endpointNamespace(getEndpointById(s.api, epId)!)?.toLowerCase()).toBe(nsId.toLowerCase());
      expectHresult(() => attachEndpoint(s.api, nsId, epId), HR.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS);
      const detached = detachEndpoint(s.api, nsId, epId);
      expect(namespaceHasEndpoint(detached, epId)).toBe(false);
      expect(endpointNamespace(getEndpointById(s.api, epId)!)).toBeUndefined();
      deleteNamespace(s.api, nsId);
      expect(getNamespace(s.api, nsId)).toBeUndefined();
    });

    it('answers ERROR_NOT_FOUND for a namespace that does not exist', () => {
      const ep = createEndpoint(s.api, networkId, { Name: unique('nons') });
      const e = expectHresult(
        () => attachEndpoint(s.api, '11111111-2222-4333-8444-555555555555', ep.ID as string),
        HR.ERROR_NOT_FOUND,
      );
      expect(isNotFound(e)).toBe(true);
    });

    it('deletes an attached endpoint by detaching it first, and a second delete is a no-op', () => {
      const nsId = createNamespace(s.api).ID as string;
      const epId = createEndpoint(s.api, networkId, { Name: unique('del') }).ID as string;
      attachEndpoint(s.api, nsId, epId);
      expect(deleteEndpoint(s.api, epId)).toBe(true);
      expect(getEndpointById(s.api, epId)).toBeUndefined();
      expect(namespaceHasEndpoint(getNamespace(s.api, nsId)!, epId)).toBe(false);
      expect(deleteEndpoint(s.api, epId)).toBe(false);
    });

    it('leaves nothing behind when reading back a created endpoint fails', () => {
      const name = unique('halfway');
      addFault(s.stateDir, { fn: 'HcnQueryEndpointProperties', nth: 1, hresult: HR.HCN_E_DEGRADED_OPERATION });
      expectHresult(() => createEndpoint(s.api, networkId, { Name: name }), HR.HCN_E_DEGRADED_OPERATION);
      expect(findEndpointByName(s.api, name)).toBeUndefined();
    });

    it('adds policies to an endpoint', () => {
      const epId = createEndpoint(s.api, networkId, { Name: unique('pol') }).ID as string;
      const ep = modifyEndpointPolicies(s.api, epId, 'Add', [
        { Type: 'OutBoundNAT', Settings: { Destinations: ['10.50.0.9'] } },
      ]);
      expect(ep.Policies.some((p) => p.Type === 'OutBoundNAT')).toBe(true);
    });
  });

  describe('globals', () => {
    it('reads the HNS version through v1 HNSCall and derives the features', () => {
      const v = getHnsVersion(s.api);
      expect(v.Major).toBeGreaterThanOrEqual(9);
      const f = featuresOf(v);
      expect(f.apiV2).toBe(true);
    });

    it('derives features by version range as hcsshim does', () => {
      expect(featuresOf({ Major: 9, Minor: 1 }).apiV2).toBe(false);
      expect(featuresOf({ Major: 9, Minor: 4 }).dsr).toBe(true);
      expect(featuresOf({ Major: 10, Minor: 1 }).dsr).toBe(false);
      expect(featuresOf({ Major: 10, Minor: 2 }).dsr).toBe(true);
      expect(featuresOf({ Major: 11, Minor: 9 }).ipv6DualStack).toBe(false);
      expect(featuresOf({ Major: 11, Minor: 10 }).ipv6DualStack).toBe(true);
    });
  });
});
