import { describe, expect, it } from 'vitest';
import {
  ErrorRecord,
  HnsCallResponse,
  HnsVersion,
  HostComputeEndpoint,
  HostComputeNamespace,
  HostComputeNetwork,
  HostComputeQuery,
  ModifyRequest,
  NamespaceEndpointRequest,
  NamespaceModifyResourceType,
  isPortMapping,
  namespaceEndpointIds,
  writeEndpointPolicyRequest,
  writeEndpointRequest,
  writeNamespaceEndpointRequest,
  writeNamespaceRequest,
  writeNetworkRequest,
  writeQuery,
} from '../../../hns/schema';

describe('readers', () => {
  it('default a NAT network whose Type HNS omitted, and read ID in any case', () => {
    const out =
      '{"ID":"85D61148-49ef-40bb-a450-3bebe951d838","Name":"nat","Ipams":[{"Subnets":[{"IpAddressPrefix":"10.4.0.0/24","Routes":[{"NextHop":"10.4.0.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"SchemaVersion":{"Major":2,"Minor":0}}';
    const n = HostComputeNetwork.parse(JSON.parse(out));
    expect(n.Type).toBe('NAT');
    expect(n.ID).toBe('85D61148-49ef-40bb-a450-3bebe951d838');
    expect(n.Ipams[0]?.Type).toBe('Static');
    expect(n.Flags).toBe(0);
    expect(n.Policies).toEqual([]);
    const lower = HostComputeNetwork.parse({
      id: 'a'.repeat(8) + '-aaaa-aaaa-aaaa-' + 'a'.repeat(12),
      name: 'x',
      type: 'L2Bridge',
    });
    expect(lower.ID).toBe('aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa');
    expect(lower.Name).toBe('x');
    expect(lower.Type).toBe('L2Bridge');
  });

  it('accept numeric enums and reject unknown enum names', () => {
    expect(HostComputeNetwork.parse({ Type: 3 }).Type).toBe('L2Bridge');
    expect(HostComputeNetwork.safeParse({ Type: 'nat' }).success).toBe(false);
    expect(HostComputeNetwork.safeParse({ Type: 99 }).success).toBe(false);
    expect(NamespaceModifyResourceType.parse(1)).toBe('Endpoint');
    expect(ModifyRequest.parse({ ResourceType: 1, RequestType: 0, Settings: {} }).RequestType).toBe('Add');
  });

  it('read endpoint policies typed, numbers or protocol names, and pass unknown types through', () => {
    const ep = HostComputeEndpoint.parse({
      id: '5e6298c2-4638-494e-be6b-ff6fef942c06',
      policies: [
        { type: 'PortMapping', settings: { protocol: 'UDP', internalport: 53, externalport: 5353 } },
        { Type: 'ACL', Settings: { Protocols: '6', Action: 'Block', Direction: 'Out' } },
        { Type: 'QOS', Settings: { MaximumOutgoingBandwidthInBytes: 1000 } },
      ],
    });
    const [pm, acl, qos] = ep.Policies;
    expect(pm && isPortMapping(pm) && pm.Settings).toEqual({
      Protocol: 17,
      InternalPort: 53,
      ExternalPort: 5353,
      Flags: 0,
    });
    expect(acl?.Settings).toMatchObject({ Action: 'Block', Direction: 'Out', Protocols: '6' });
    expect(qos).toEqual({ Type: 'QOS', Settings: { MaximumOutgoingBandwidthInBytes: 1000 } });
    expect(ep.IpConfigurations).toEqual([]);
    expect(ep.HostComputeNamespace).toBeUndefined();
  });

  it('reject a typed policy whose settings are malformed rather than passing it through', () => {
    expect(
      HostComputeEndpoint.safeParse({ Policies: [{ Type: 'PortMapping', Settings: { InternalPort: 70000 } }] }).success,
    ).toBe(false);
    expect(
      HostComputeEndpoint.safeParse({ Policies: [{ Type: 'PortMapping', Settings: { Protocol: 'SCTP' } }] }).success,
    ).toBe(false);
  });

  it('read namespace endpoint resources whose Data key is Id or ID', () => {
    const ns = HostComputeNamespace.parse({
      ID: '37B9E55C-0000-4000-8000-000000000001',
      Resources: [
        { Type: 'Endpoint', Data: { Id: '7CC03AF7-0000-4000-8000-000000000002' } },
        { Type: 'Endpoint', Data: { ID: '7cc03af7-0000-4000-8000-000000000003' } },
        { Data: { Id: 'container-1' } },
      ],
      SchemaVersion: { Major: 0, Minor: 0 },
    });
    expect(ns.Type).toBe('Host');
    expect(ns.NamespaceId).toBe(0);
    expect(ns.Resources[2]?.Type).toBe('Container');
    expect(namespaceEndpointIds(ns)).toEqual([
      '7CC03AF7-0000-4000-8000-000000000002',
      '7cc03af7-0000-4000-8000-000000000003',
    ]);
    expect(HostComputeNamespace.parse({ SchemaVersion: {} }).SchemaVersion).toEqual({ Major: 0, Minor: 0 });
  });

  it('read queries, modify requests, error records and the v1 envelope', () => {
    const q = HostComputeQuery.parse(
      JSON.parse('{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"Name\\":\\"nat\\"}"}'),
    );
    expect(JSON.parse(q.Filter ?? '')).toEqual({ Name: 'nat' });
    expect(q.Flags).toBe(0);
    expect(HostComputeQuery.safeParse({ Filter: { Name: 'x' } }).success).toBe(false);
    const m = ModifyRequest.parse({ resourcetype: 'Endpoint', requesttype: 'Remove', settings: { endpointid: 'x' } });
    expect(NamespaceEndpointRequest.parse(m.Settings).EndpointId).toBe('x');
    const rec = ErrorRecord.parse(JSON.parse('{"Success":false,"Error":"Element not found. ","ErrorCode":2147943568}'));
    expect(rec.ErrorCode).toBe(0x80070490);
    const env = HnsCallResponse.parse({ Success: true, Output: { Major: 15, Minor: 1 } });
    expect(HnsVersion.parse(env.Output)).toEqual({ Major: 15, Minor: 1 });
  });
});

describe('writers spell keys as hcsshim does', () => {
  it('network create request of the Go nat plugin', () => {
    expect(
      writeNetworkRequest({
        Name: 'natNetwork',
        Type: 'NAT',
        Ipams: [
          {
            Type: 'Static',
            Subnets: [
              {
                IpAddressPrefix: '192.168.100.0/24',
                Flags: 0,
                Routes: [{ NextHop: '192.168.100.1', DestinationPrefix: '0.0.0.0/0' }],
              },
            ],
          },
        ],
      }),
    ).toBe(
      '{"Name":"natNetwork","Type":"NAT","MacPool":{},"Dns":{},"Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"192.168.100.0/24","Routes":[{"NextHop":"192.168.100.1","DestinationPrefix":"0.0.0.0/0"}]}]}],"Health":{"Extra":{}},"SchemaVersion":{"Major":2,"Minor":0}}',
    );
  });

  it('endpoint create request with a port mapping and an ACL', () => {
    expect(
      writeEndpointRequest({
        Name: 'cid_natNetwork',
        HostComputeNetwork: '85d61148-49ef-40bb-a450-3bebe951d838',
        Policies: [
          { Type: 'PortMapping', Settings: { Flags: 0, ExternalPort: 8080, InternalPort: 80, Protocol: 6 } },
          {
            Type: 'ACL',
            Settings: { Priority: 1000, LocalPorts: '80', Direction: 'In', Action: 'Allow', Protocols: '6' },
          },
        ],
        Routes: [{ DestinationPrefix: '0.0.0.0/0', NextHop: '192.168.100.1' }],
      }),
    ).toBe(
      '{"Name":"cid_natNetwork","HostComputeNetwork":"85d61148-49ef-40bb-a450-3bebe951d838","Policies":[{"Type":"PortMapping","Settings":{"Protocol":6,"InternalPort":80,"ExternalPort":8080}},{"Type":"ACL","Settings":{"Protocols":"6","Action":"Allow","Direction":"In","LocalPorts":"80","Priority":1000}}],"Dns":{},"Routes":[{"NextHop":"192.168.100.1","DestinationPrefix":"0.0.0.0/0"}],"Health":{"Extra":{}},"SchemaVersion":{"Major":2,"Minor":0}}',
    );
  });

  it('namespace create, namespace modify and queries', () => {
    expect(writeNamespaceRequest({ SchemaVersion: { Major: 0, Minor: 0 } })).toBe(
      '{"SchemaVersion":{"Major":0,"Minor":0}}',
    );
    expect(writeNamespaceEndpointRequest('Add', 'abc')).toBe(
      '{"ResourceType":"Endpoint","RequestType":"Add","Settings":{"EndpointId":"abc"}}',
    );
    expect(writeQuery()).toBe('{"SchemaVersion":{"Major":2,"Minor":0}}');
    expect(writeQuery({ filter: { Name: 'natNetwork' } })).toBe(
      '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"Name\\":\\"natNetwork\\"}"}',
    );
    expect(
      writeEndpointPolicyRequest('Update', [{ Type: 'OutBoundNAT', Settings: { Destinations: ['10.0.0.2'] } }]),
    ).toBe(
      '{"ResourceType":"Policy","RequestType":"Update","Settings":{"Policies":[{"Type":"OutBoundNAT","Settings":{"Destinations":["10.0.0.2"]}}]}}',
    );
  });

  it('written requests read back to the same values', () => {
    const req = { Name: 'ü-ñet', Type: 'L2Bridge' as const, Flags: 8, Dns: { ServerList: ['8.8.8.8'] } };
    const back = HostComputeNetwork.parse(JSON.parse(writeNetworkRequest(req)));
    expect(back).toMatchObject(req);
  });
});
