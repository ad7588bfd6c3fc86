import { describe, expect, it } from 'vitest';
import { HR, HnsError, isNotFound } from '../../../hns/errors';
import { ZERO_GUID, randomGuid } from '../../../hns/guid';
import { writeEndpointPolicyRequest, writeQuery } from '../../../hns/schema';
import { updateSettings } from '../../../hns/sim/admin';
import {
  NAT_NETWORK,
  createEndpoint,
  createNamespace,
  createNetwork,
  enumerate,
  freshSim,
  getEndpoint,
  getNamespace,
  modifyNamespace,
} from './helpers';

/** The HnsError a call throws, so each test can assert its HRESULT and text. */
function failure(fn: () => unknown): HnsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HnsError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const pm = (ExternalPort: number, extra: Record<string, unknown> = {}) => ({
  Type: 'PortMapping',
  Settings: { Protocol: 6, InternalPort: 80, ExternalPort, ...extra },
});

describe('networks', () => {
  it('create a NAT network as HNS does: generated lowercase ID, no Type, MAC pool filled, version', () => {
    const { api } = freshSim({ hnsVersion: '15.1' });
    const n = createNetwork(api);
    expect(n.ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(n).not.toHaveProperty('Type');
    expect(n.Name).toBe('natNetwork');
    expect(n.Ipams).toEqual([
      {
        Subnets: [
          {
            IpAddressPrefix: '192.168.100.0/24',
            Routes: [{ NextHop: '192.168.100.1', DestinationPrefix: '0.0.0.0/0' }],
          },
        ],
      },
    ]);
    const [range] = n.MacPool.Ranges;
    expect(range.StartMacAddress).toMatch(/^00-15-5D-[0-9A-F]{2}-[0-9A-F]0-00$/);
    expect(range.EndMacAddress).toBe(range.StartMacAddress.slice(0, 13) + 'F-FF');
    expect(n.Version).toBe(15 * 2 ** 32 + 1);
    expect(n.State).toBe(1);
    expect(n.SchemaVersion).toEqual({ Major: 2, Minor: 0 });
  });

  it('use a given non-zero GUID as the ID, and refuse it twice', () => {
    const { api } = freshSim();
    const id = randomGuid().toUpperCase();
    expect(createNetwork(api, NAT_NETWORK, id).ID).toBe(id.toLowerCase());
    const e = failure(() => createNetwork(api, { ...NAT_NETWORK, Name: 'other', Ipams: [] }, id));
    expect(e.hresult).toBe(HR.HCN_E_NETWORK_ALREADY_EXISTS);
  });

  it('refuse a duplicate name (0x803B0010) unless allowed, and overlapping NAT prefixes', () => {
    const { api, dir } = freshSim();
    createNetwork(api);
    const dup = failure(() => createNetwork(api));
    expect(dup.hresult).toBe(HR.HCN_E_NETWORK_ALREADY_EXISTS);
    expect(dup.message).toBe(
      'HcnCreateNetwork failed: HCN_E_NETWORK_ALREADY_EXISTS (0x803B0010): A network with this name already exists.',
    );
    const overlap = failure(() => createNetwork(api, { ...NAT_NETWORK, Name: 'n2' }));
    expect(overlap.hresult).toBe(HR.E_FAIL);
    updateSettings(dir, { duplicateNetworkName: 'allow', natSubnetOverlap: 'allow' });
    expect(createNetwork(api).Name).toBe('natNetwork');
  });

  it('handle a network without subnets per the networkWithoutSubnet switch', () => {
    const { api, dir } = freshSim();
    expect(failure(() => createNetwork(api, { Name: 'nosub', Type: 'NAT' })).hresult).toBe(HR.ERROR_NOT_FOUND);
    updateSettings(dir, { networkWithoutSubnet: 'choose' });
    const a = createNetwork(api, { Name: 'a', Type: 'NAT' });
    const b = createNetwork(api, { Name: 'b', Type: 'NAT' });
    expect(a.Ipams[0].Subnets[0]).toEqual({
      IpAddressPrefix: '172.16.0.0/20',
      Routes: [{ NextHop: '172.16.0.1', DestinationPrefix: '0.0.0.0/0' }],
    });
    expect(b.Ipams[0].Subnets[0].IpAddressPrefix).toBe('172.16.16.0/20');
  });

  it('reject malformed networks with the matching HRESULT', () => {
    const { api } = freshSim();
    const bad = (settings: string) => failure(() => api.network.create(ZERO_GUID, settings)).hresult;
    expect(bad('{not json')).toBe(HR.HCN_E_INVALID_JSON);
    expect(bad('[1]')).toBe(HR.HCN_E_INVALID_JSON);
    expect(bad('{"Name":"x","Type":"Bridge"}')).toBe(HR.HCN_E_INVALID_NETWORK_TYPE);
    expect(bad('{"Name":7}')).toBe(HR.HCN_E_INVALID_NETWORK);
    // Host bits set: HCN_E_INVALID_NETWORK, see public-sources.test.ts (microsoft/containers-toolkit#24).
    expect(bad('{"Name":"x","Ipams":[{"Subnets":[{"IpAddressPrefix":"10.0.0.1/24"}]}]}')).toBe(
      HR.HCN_E_INVALID_NETWORK,
    );
    expect(bad('{"Name":"x","Ipams":[{"Subnets":[{"IpAddressPrefix":"10.0.0.0/33"}]}]}')).toBe(HR.HCN_E_INVALID_PREFIX);
    expect(
      bad(
        '{"Name":"x","Ipams":[{"Subnets":[{"IpAddressPrefix":"10.0.0.0/24","Routes":[{"NextHop":"10.0.1.1","DestinationPrefix":"0.0.0.0/0"}]}]}]}',
      ),
    ).toBe(HR.HCN_E_INVALID_SUBNET);
    expect(bad('{"Name":"x","Policies":[{"Type":"Nope","Settings":{}}]}')).toBe(HR.HCN_E_INVALID_POLICY_TYPE);
    expect(bad('{"Name":"x","Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":5}}]}')).toBe(
      HR.HCN_E_INVALID_POLICY,
    );
  });

  it('gate IPv6 subnets and version-bound policy types on the HNS version', () => {
    const { api, dir } = freshSim({ hnsVersion: '10.3' });
    const v6 = {
      Name: 'v6',
      Type: 'L2Bridge' as const,
      Ipams: [{ Type: 'Static' as const, Subnets: [{ IpAddressPrefix: 'fd00::/64', Flags: 0 }] }],
    };
    expect(failure(() => createNetwork(api, v6)).hresult).toBe(HR.HCN_E_INVALID_PREFIX);
    const acl = { Name: 'acl', Type: 'L2Bridge' as const, Policies: [{ Type: 'NetworkACL', Settings: {} }] };
    expect(failure(() => createNetwork(api, acl)).hresult).toBe(HR.HCN_E_INVALID_POLICY_TYPE);
    updateSettings(dir, { hnsVersion: '15.0' });
    expect(createNetwork(api, v6).Type).toBe('L2Bridge');
    expect(createNetwork(api, acl).Policies).toEqual([{ Type: 'NetworkACL', Settings: {} }]);
    expect(failure(() => createNetwork(api, { Name: 'dhp', Type: 'L2Bridge', Flags: 1024 })).hresult).toBe(
      HR.HCN_E_INVALID_NETWORK,
    );
    updateSettings(dir, { hnsVersion: '9.1' });
    expect(failure(() => api.network.enumerate(writeQuery())).hresult).toBe(HR.E_NOTIMPL);
  });

  it('enumerate by Name (exact, non-ASCII) and by ID (any case); [] when nothing matches', () => {
    const { api } = freshSim();
    const n = createNetwork(api, { ...NAT_NETWORK, Name: 'réseau-網絡' });
    expect(enumerate(api.network, { Name: 'réseau-網絡' })).toEqual([n.ID]);
    expect(enumerate(api.network, { Name: 'RÉSEAU-網絡' })).toEqual([]);
    expect(enumerate(api.network, { ID: n.ID.toUpperCase() })).toEqual([n.ID]);
    expect(enumerate(api.network, { Name: 'missing' })).toEqual([]);
    expect(enumerate(api.network, { NoSuchProperty: 1 })).toEqual([]);
    expect(enumerate(api.network)).toEqual([n.ID]);
    expect(failure(() => api.network.enumerate('{"Filter":"{bad"}')).hresult).toBe(HR.HCN_E_INVALID_JSON);
    // Query*Properties ignores Filter.
    const h = api.network.open(n.ID);
    expect(JSON.parse(api.network.query(h, writeQuery({ filter: { Name: 'other' } }))).ID).toBe(n.ID);
    api.network.close(h);
  });

  it('answer HCN_E_NETWORK_NOT_FOUND for a missing network on open and delete', () => {
    const { api } = freshSim();
    const open = failure(() => api.network.open(randomGuid()));
    expect(open.hresult).toBe(HR.HCN_E_NETWORK_NOT_FOUND);
    expect(isNotFound(open)).toBe(true);
    const record = JSON.parse(open.errorRecord ?? '');
    expect(Object.keys(record)).toEqual(['Success', 'Error', 'ErrorCode']);
    expect(record).toMatchObject({ Success: false, ErrorCode: 0x803b0001 });
    expect(record.Error.startsWith('The network was not found. ')).toBe(true);
    expect(failure(() => api.network.delete(randomGuid())).hresult).toBe(HR.HCN_E_NETWORK_NOT_FOUND);
    expect(failure(() => api.network.open('not-a-guid')).hresult).toBe(HR.E_INVALIDARG);
  });

  it('cascade a network delete to its endpoints and their namespace entries', () => {
    const { api, dir } = freshSim();
    const n = createNetwork(api);
    const ep = createEndpoint(api, n.ID, { Name: 'e1' });
    const ns = createNamespace(api);
    modifyNamespace(api, ns, 'Add', ep.ID);
    api.network.delete(n.ID);
    expect(enumerate(api.endpoint)).toEqual([]);
    expect(getNamespace(api, ns)).not.toHaveProperty('Resources');
    updateSettings(dir, { deleteNetworkWithEndpoints: 'refuse' });
    const n2 = createNetwork(api);
    createEndpoint(api, n2.ID, { Name: 'e2' });
    expect(failure(() => api.network.delete(n2.ID)).hresult).toBe(HR.HCN_E_ENTITY_HAS_REFERENCES);
  });

  it('modify network policies and DNS', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const h = api.network.open(n.ID);
    api.network.modify(
      h,
      '{"ResourceType":"Policy","RequestType":"Add","Settings":{"Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}]}}',
    );
    expect(
      failure(() =>
        api.network.modify(
          h,
          '{"ResourceType":"Policy","RequestType":"Add","Settings":{"Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}]}}',
        ),
      ).hresult,
    ).toBe(HR.HCN_E_POLICY_ALREADY_EXISTS);
    api.network.modify(h, '{"ResourceType":"DNS","RequestType":"Update","Settings":{"ServerList":["1.1.1.1"]}}');
    const out = JSON.parse(api.network.query(h, writeQuery()));
    expect(out.Policies).toEqual([{ Type: 'NetAdapterName', Settings: { NetworkAdapterName: 'Ethernet' } }]);
    expect(out.Dns).toEqual({ ServerList: ['1.1.1.1'] });
    expect(
      failure(() => api.network.modify(h, '{"ResourceType":"Extension","RequestType":"Add","Settings":{}}')).hresult,
    ).toBe(HR.HCN_E_REQUEST_UNSUPPORTED);
    api.network.close(h);
  });
});

describe('endpoints', () => {
  it('allocate the lowest free address, skipping network, gateway and addresses in use; MAC from the pool', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const a = createEndpoint(api, n.ID, { Name: 'a' });
    const b = createEndpoint(api, n.ID, { Name: 'b' });
    expect(a.IpConfigurations).toEqual([{ IpAddress: '192.168.100.2', PrefixLength: 24 }]);
    expect(b.IpConfigurations).toEqual([{ IpAddress: '192.168.100.3', PrefixLength: 24 }]);
    expect(a.Routes).toEqual([{ NextHop: '192.168.100.1', DestinationPrefix: '0.0.0.0/0' }]);
    expect(a.MacAddress).toMatch(/^00-15-5D(-[0-9A-F]{2}){3}$/);
    expect(a.MacAddress).not.toBe(b.MacAddress);
    expect(a.HostComputeNetwork).toBe(n.ID);
    expect(a.HostComputeNamespace).toBe(ZERO_GUID);
    api.endpoint.delete(a.ID);
    expect(createEndpoint(api, n.ID, { Name: 'c' }).IpConfigurations[0].IpAddress).toBe('192.168.100.2');
  });

  it('never hand out the broadcast address, and fail when the subnet is full', () => {
    const { api } = freshSim();
    const n = createNetwork(api, {
      Name: 'tiny',
      Type: 'NAT',
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            {
              IpAddressPrefix: '10.9.0.0/29',
              Flags: 0,
              Routes: [{ NextHop: '10.9.0.1', DestinationPrefix: '0.0.0.0/0' }],
            },
          ],
        },
      ],
    });
    const got = [2, 3, 4, 5, 6].map((i) => createEndpoint(api, n.ID, { Name: `e${i}` }).IpConfigurations[0].IpAddress);
    expect(got).toEqual(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
    expect(failure(() => createEndpoint(api, n.ID, { Name: 'full' })).hresult).toBe(HR.HCN_E_SUBNET_NOT_FOUND);
  });

  it('honour a requested static IP and MAC, or refuse them', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const e = createEndpoint(api, n.ID, {
      Name: 's',
      IpConfigurations: [{ IpAddress: '192.168.100.50' }],
      MacAddress: '00:15:5d:aa:bb:cc',
    });
    expect(e.IpConfigurations).toEqual([{ IpAddress: '192.168.100.50', PrefixLength: 24 }]);
    expect(e.MacAddress).toBe('00-15-5D-AA-BB-CC');
    const ip = (IpAddress: string) =>
      failure(() => createEndpoint(api, n.ID, { Name: 'x', IpConfigurations: [{ IpAddress }] })).hresult;
    expect(ip('10.0.0.5')).toBe(HR.HCN_E_INVALID_IP);
    expect(ip('not-an-ip')).toBe(HR.HCN_E_INVALID_IP);
    expect(ip('192.168.100.0')).toBe(HR.HCN_E_ADDR_INVALID_OR_RESERVED);
    expect(ip('192.168.100.1')).toBe(HR.HCN_E_ADDR_INVALID_OR_RESERVED);
    expect(ip('192.168.100.255')).toBe(HR.HCN_E_ADDR_INVALID_OR_RESERVED);
    expect(ip('192.168.100.50')).toBe(HR.HCN_E_ADDR_INVALID_OR_RESERVED);
    expect(failure(() => createEndpoint(api, n.ID, { Name: 'm', MacAddress: '00-15-5D' })).hresult).toBe(
      HR.HCN_E_INVALID_ENDPOINT,
    );
  });

  it('refuse host port clashes across endpoints and networks, per protocol, VIP and family', () => {
    const { api } = freshSim({ hnsVersion: '15.1' });
    const n1 = createNetwork(api);
    const n2 = createNetwork(api, {
      Name: 'n2',
      Type: 'NAT',
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            {
              IpAddressPrefix: '10.5.0.0/24',
              Flags: 0,
              Routes: [{ NextHop: '10.5.0.1', DestinationPrefix: '0.0.0.0/0' }],
            },
          ],
        },
      ],
    });
    createEndpoint(api, n1.ID, { Name: 'a', Policies: [pm(8080)] });
    const clash = failure(() => createEndpoint(api, n2.ID, { Name: 'b', Policies: [pm(8080)] }));
    expect(clash.hresult).toBe(HR.HCN_E_PORT_ALREADY_EXISTS);
    expect(clash.message).toMatch(
      /^HcnCreateEndpoint failed: HCN_E_PORT_ALREADY_EXISTS \(0x803B0013\): The specified port already exists\. TCP port 8080$/,
    );
    // UDP on the same port, an IPv6 mapping, and distinct VIPs do not clash.
    createEndpoint(api, n2.ID, { Name: 'udp', Policies: [pm(8080, { Protocol: 17 })] });
    createEndpoint(api, n2.ID, { Name: 'v6', Policies: [pm(8080, { Flags: 2 })] });
    createEndpoint(api, n2.ID, { Name: 'vip1', Policies: [pm(9000, { VIP: '10.0.0.1' })] });
    createEndpoint(api, n2.ID, { Name: 'vip2', Policies: [pm(9000, { VIP: '10.0.0.2' })] });
    expect(failure(() => createEndpoint(api, n2.ID, { Name: 'any', Policies: [pm(9000)] })).hresult).toBe(
      HR.HCN_E_PORT_ALREADY_EXISTS,
    );
    // Two mappings of one request clash too.
    expect(failure(() => createEndpoint(api, n2.ID, { Name: 'twice', Policies: [pm(7000), pm(7000)] })).hresult).toBe(
      HR.HCN_E_PORT_ALREADY_EXISTS,
    );
    // The failed creates left nothing behind.
    expect(enumerate(api.endpoint, { Name: 'twice' })).toEqual([]);
  });

  it('validate endpoint policies', () => {
    const { api, dir } = freshSim({ hnsVersion: '10.3' });
    const n = createNetwork(api);
    const hr = (Policies: unknown[]) =>
      failure(() => createEndpoint(api, n.ID, { Name: 'p', Policies: Policies as never })).hresult;
    expect(hr([pm(8080, { InternalPort: 0 })])).toBe(HR.HCN_E_INVALID_INTERNAL_PORT);
    expect(hr([pm(0)])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([pm(8080, { Protocol: 1 })])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([pm(8080, { VIP: 'x.y' })])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([pm(8080, { Flags: 2 })])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([pm(8080, { Flags: 8 })])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([{ Type: 'Bogus', Settings: {} }])).toBe(HR.HCN_E_INVALID_POLICY_TYPE);
    expect(hr([{ Type: 'L4WFPPROXY', Settings: {} }])).toBe(HR.HCN_E_INVALID_POLICY_TYPE);
    expect(hr([{ Type: 'OutBoundNAT', Settings: { Exceptions: ['nope'] } }])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr([{ Type: 'ACL', Settings: { Action: 'Deny' } }])).toBe(HR.HCN_E_INVALID_POLICY);
    expect(hr(['x'])).toBe(HR.HCN_E_INVALID_POLICY);
    // Accepted policies are echoed; pass-through types keep their settings.
    const e = createEndpoint(api, n.ID, {
      Name: 'ok',
      Policies: [
        pm(8081, { Flags: 1 }),
        {
          Type: 'ACL',
          Settings: { Protocols: '6', Action: 'Allow', Direction: 'In', LocalPorts: '80', Priority: 1000 },
        },
        { Type: 'OutBoundNAT', Settings: { Destinations: ['192.168.100.2'] } },
        { Type: 'QOS', Settings: { MaximumOutgoingBandwidthInBytes: 5 } },
      ],
    });
    expect(e.Policies).toEqual([
      { Type: 'PortMapping', Settings: { Protocol: 6, InternalPort: 80, ExternalPort: 8081, Flags: 1 } },
      { Type: 'ACL', Settings: { Protocols: '6', Action: 'Allow', Direction: 'In', LocalPorts: '80', Priority: 1000 } },
      { Type: 'OutBoundNAT', Settings: { Destinations: ['192.168.100.2'] } },
      { Type: 'QOS', Settings: { MaximumOutgoingBandwidthInBytes: 5 } },
    ]);
    updateSettings(dir, { hnsVersion: '9.2' });
    expect(hr([{ Type: 'OutBoundNAT', Settings: { Destinations: ['192.168.100.3'] } }])).toBe(HR.HCN_E_INVALID_POLICY);
  });

  it('reject a malformed endpoint and a HostComputeNetwork other than the handle', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const h = api.network.open(n.ID);
    const bad = (s: string) => failure(() => api.endpoint.create(h, ZERO_GUID, s)).hresult;
    expect(bad('')).toBe(HR.HCN_E_INVALID_JSON);
    expect(bad('{"Name":"x","IpConfigurations":"no"}')).toBe(HR.HCN_E_INVALID_ENDPOINT);
    expect(bad('{"Name":"x","Routes":[{"NextHop":"bad","DestinationPrefix":"0.0.0.0/0"}]}')).toBe(
      HR.HCN_E_INVALID_ENDPOINT,
    );
    expect(bad(`{"Name":"x","HostComputeNetwork":"${randomGuid()}"}`)).toBe(HR.HCN_E_INVALID_ENDPOINT);
    api.network.close(h);
  });

  it('use a given endpoint GUID, refuse a second one, and find endpoints by name, ID and VirtualNetwork', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const id = randomGuid();
    const e = createEndpoint(api, n.ID, { Name: 'cid_natNetwork' }, id);
    expect(e.ID).toBe(id);
    expect(failure(() => createEndpoint(api, n.ID, { Name: 'again' }, id)).hresult).toBe(HR.ERROR_ALREADY_EXISTS);
    const other = createEndpoint(api, n.ID, { Name: 'cid_natNetwork' });
    expect(enumerate(api.endpoint, { Name: 'cid_natNetwork' })).toEqual([e.ID, other.ID]);
    expect(enumerate(api.endpoint, { ID: id.toUpperCase() })).toEqual([id]);
    expect(enumerate(api.endpoint, { VirtualNetwork: n.ID.toUpperCase() })).toEqual([e.ID, other.ID]);
    expect(enumerate(api.endpoint, { HostComputeNetwork: n.ID })).toEqual([]);
    expect(enumerate(api.endpoint, { IPAddress: '192.168.100.3' })).toEqual([other.ID]);
  });

  it('answer HCN_E_ENDPOINT_NOT_FOUND on missing endpoints and on handles to deleted ones', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    expect(failure(() => api.endpoint.open(randomGuid())).hresult).toBe(HR.HCN_E_ENDPOINT_NOT_FOUND);
    expect(failure(() => api.endpoint.delete(randomGuid())).hresult).toBe(HR.HCN_E_ENDPOINT_NOT_FOUND);
    const e = createEndpoint(api, n.ID, { Name: 'gone' });
    const h = api.endpoint.open(e.ID);
    api.endpoint.delete(e.ID);
    expect(failure(() => api.endpoint.query(h, writeQuery())).hresult).toBe(HR.HCN_E_ENDPOINT_NOT_FOUND);
    api.endpoint.close(h);
    expect(failure(() => api.endpoint.close(h)).hresult).toBe(HR.E_HANDLE);
  });

  it('modify endpoint policies: Add, Remove, Update, with port conflicts', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const a = createEndpoint(api, n.ID, { Name: 'a', Policies: [pm(8080)] });
    const b = createEndpoint(api, n.ID, { Name: 'b' });
    const h = api.endpoint.open(b.ID);
    expect(failure(() => api.endpoint.modify(h, writeEndpointPolicyRequest('Add', [pm(8080)]))).hresult).toBe(
      HR.HCN_E_PORT_ALREADY_EXISTS,
    );
    api.endpoint.modify(h, writeEndpointPolicyRequest('Add', [pm(8081)]));
    api.endpoint.modify(h, writeEndpointPolicyRequest('Update', [pm(8082)]));
    expect(getEndpoint(api, b.ID).Policies).toEqual([
      { Type: 'PortMapping', Settings: { Protocol: 6, InternalPort: 80, ExternalPort: 8082 } },
    ]);
    expect(failure(() => api.endpoint.modify(h, writeEndpointPolicyRequest('Remove', [pm(8081)]))).hresult).toBe(
      HR.HCN_E_POLICY_NOT_FOUND,
    );
    api.endpoint.modify(h, writeEndpointPolicyRequest('Remove', [pm(8082)]));
    expect(getEndpoint(api, b.ID).Policies).toEqual([]);
    api.endpoint.close(h);
    expect(getEndpoint(api, a.ID).Policies).toHaveLength(1);
  });

  it('inject host DNS only when the switch is set', () => {
    const { api, dir } = freshSim();
    const n = createNetwork(api);
    expect(createEndpoint(api, n.ID, { Name: 'a' }).Dns).toEqual({});
    updateSettings(dir, { hostDns: { ServerList: ['10.0.0.2'] } });
    expect(createEndpoint(api, n.ID, { Name: 'b' }).Dns).toEqual({ ServerList: ['10.0.0.2'] });
    expect(createEndpoint(api, n.ID, { Name: 'c', Dns: { ServerList: ['8.8.8.8'] } }).Dns).toEqual({
      ServerList: ['8.8.8.8'],
    });
  });
});

describe('namespaces', () => {
  it('create as containerd does: uppercase ID, SchemaVersion 0.0 echoed, no Type; default namespace listed', () => {
    const { api } = freshSim();
    const id = createNamespace(api);
    expect(id).toMatch(/^[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}$/);
    expect(getNamespace(api, id)).toEqual({ ID: id, SchemaVersion: { Major: 0, Minor: 0 } });
    const all = enumerate(api.namespace);
    expect(all).toHaveLength(2);
    const def = getNamespace(api, all[0] ?? '');
    expect(def).toMatchObject({ NamespaceId: 1, Type: 'HostDefault' });
    expect(enumerate(api.namespace, { ID: id.toLowerCase() })).toEqual([id]);
    expect(enumerate(api.namespace, { ID: randomGuid() })).toEqual([]);
  });

  it('attach and detach through ModifyNamespace, with HNS letter cases', () => {
    const { api } = freshSim();
    const n = createNetwork(api);
    const e = createEndpoint(api, n.ID, { Name: 'e' });
    const ns = createNamespace(api);
    modifyNamespace(api, ns.toLowerCase(), 'Add', e.ID.toUpperCase());
    expect(getNamespace(api, ns).Resources).toEqual([{ Type: 'Endpoint', Data: { Id: e.ID.toUpperCase() } }]);
    expect(getEndpoint(api, e.ID).HostComputeNamespace).toBe(ns.toLowerCase());
    expect(failure(() => modifyNamespace(api, ns, 'Add', e.ID)).hresult).toBe(
      HR.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS,
    );
    const ns2 = createNamespace(api);
    expect(failure(() => modifyNamespace(api, ns2, 'Add', e.ID)).hresult).toBe(
      HR.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS,
    );
    expect(failure(() => modifyNamespace(api, ns2, 'Remove', e.ID)).hresult).toBe(HR.ERROR_NOT_FOUND);
    modifyNamespace(api, ns, 'Remove', e.ID);
    expect(getNamespace(api, ns)).not.toHaveProperty('Resources');
    expect(getEndpoint(api, e.ID).HostComputeNamespace).toBe(ZERO_GUID);
  });

  it('answer the not-found paths of namespaces', () => {
    const { api, dir } = freshSim();
    const ns = createNamespace(api);
    expect(failure(() => api.namespace.open(ZERO_GUID)).hresult).toBe(HR.ERROR_NOT_FOUND);
    expect(failure(() => api.namespace.open(randomGuid())).hresult).toBe(HR.ERROR_NOT_FOUND);
    expect(failure(() => api.namespace.delete(randomGuid())).hresult).toBe(HR.ERROR_NOT_FOUND);
    expect(failure(() => modifyNamespace(api, ns, 'Add', randomGuid())).hresult).toBe(HR.HCN_E_ENDPOINT_NOT_FOUND);
    const h = api.namespace.open(ns);
    expect(
      failure(() =>
        api.namespace.modify(h, '{"ResourceType":"Endpoint","RequestType":"Add","Settings":{"EndpointId":"nope"}}'),
      ).hresult,
    ).toBe(HR.HCN_E_GUID_CONVERSION_FAILURE);
    expect(
      failure(() => api.namespace.modify(h, '{"ResourceType":"Endpoint","RequestType":"Update","Settings":{}}'))
        .hresult,
    ).toBe(HR.HCN_E_REQUEST_UNSUPPORTED);
    api.namespace.close(h);
    updateSettings(dir, { detachNotAttached: 'succeed' });
    const n = createNetwork(api);
    const e = createEndpoint(api, n.ID, { Name: 'e' });
    modifyNamespace(api, ns, 'Remove', e.ID);
  });

  it('delete an attached endpoint (dropping the resource) and a namespace with endpoints (detaching them)', () => {
    const { api, dir } = freshSim();
    const n = createNetwork(api);
    const e1 = createEndpoint(api, n.ID, { Name: 'e1' });
    const e2 = createEndpoint(api, n.ID, { Name: 'e2' });
    const ns = createNamespace(api);
    modifyNamespace(api, ns, 'Add', e1.ID);
    modifyNamespace(api, ns, 'Add', e2.ID);
    api.endpoint.delete(e1.ID);
    expect(getNamespace(api, ns).Resources).toEqual([{ Type: 'Endpoint', Data: { Id: e2.ID.toUpperCase() } }]);
    api.namespace.delete(ns);
    expect(getEndpoint(api, e2.ID).HostComputeNamespace).toBe(ZERO_GUID);
    updateSettings(dir, {
      deleteAttachedEndpoint: 'refuse',
      deleteNamespaceWithEndpoints: 'refuse',
      unattachedEndpointNamespace: 'absent',
    });
    expect(getEndpoint(api, e2.ID)).not.toHaveProperty('HostComputeNamespace');
    const ns2 = createNamespace(api);
    modifyNamespace(api, ns2, 'Add', e2.ID);
    expect(failure(() => api.endpoint.delete(e2.ID)).hresult).toBe(HR.HCN_E_ENTITY_HAS_REFERENCES);
    expect(failure(() => api.namespace.delete(ns2)).hresult).toBe(HR.HCN_E_ENTITY_HAS_REFERENCES);
  });
});

describe('HNSCall and the version', () => {
  it('answer GET /globals/version from the setting', () => {
    const { api, dir } = freshSim();
    expect(JSON.parse(api.hnsCall('GET', '/globals/version', ''))).toEqual({
      Success: true,
      Output: { Major: 13, Minor: 3 },
    });
    updateSettings(dir, { hnsVersion: '15.1' });
    expect(JSON.parse(api.hnsCall('GET', '/globals/version/', '')).Output).toEqual({ Major: 15, Minor: 1 });
    // Other v1 paths: S_OK and a Success:false envelope saying so (public-sources.test.ts).
    expect(JSON.parse(api.hnsCall('GET', '/networks/', ''))).toMatchObject({
      Success: false,
      Error: expect.stringMatching(/not simulated/),
    });
  });
});

describe('host adapters', () => {
  // hostAdapters stands in for what GetAdaptersAddresses lists; HNS's answer to an unknown name is inferred [I].
  it('a NetAdapterName policy must name one of settings.hostAdapters (any case), else HCN_E_ADAPTER_NOT_FOUND', () => {
    const { api } = freshSim({ hostAdapters: ['Ethernet 2'] });
    const net = (name: string, adapter: string) =>
      createNetwork(api, {
        ...NAT_NETWORK,
        Name: name,
        Policies: [{ Type: 'NetAdapterName', Settings: { NetworkAdapterName: adapter } }],
      });
    const err = (() => {
      try {
        net('a', 'Ethernet');
      } catch (e) {
        return e as HnsError;
      }
      throw new Error('expected HCN_E_ADAPTER_NOT_FOUND');
    })();
    expect(err.hresult).toBe(HR.HCN_E_ADAPTER_NOT_FOUND);
    expect(err.message).toContain('"Ethernet 2"');
    expect(net('b', 'ethernet 2').Name).toBe('b');
  });
});
