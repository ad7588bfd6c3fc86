import { describe, expect, it } from 'vitest';
import { parseNatConfig } from '../../plugin/config';
import { readPolicyArgs } from '../../plugin/policies';
import { errorOf } from './cni-error';

const base = { cniVersion: '1.0.0', name: 'nat', type: 'nat' };

describe('AdditionalArgs pass-through', () => {
  const outbound = { Type: 'OutBoundNAT', Settings: { Exceptions: ['10.0.0.0/8', '192.168.0.5'] } };

  it.each(['AdditionalArgs', 'additionalArgs', 'additionalargs', 'ADDITIONALARGS'])('reads the %s key', (key) => {
    const c = parseNatConfig({ ...base, [key]: [{ Name: 'EndpointPolicy', Value: outbound }] });
    expect(c.endpointPolicies).toEqual([outbound]);
    expect(c.outboundNatExceptions).toEqual(['10.0.0.0/8', '192.168.0.5']);
  });

  it('reads name/value in any case and routes endpoint and network policies', () => {
    const c = parseNatConfig({
      ...base,
      AdditionalArgs: [
        {
          name: 'endpointPolicy',
          value: { type: 'sdnroute', settings: { DestinationPrefix: '10.0.0.0/8', NeedEncap: true } },
        },
        { NAME: 'NetworkPolicy', VALUE: { Type: 'netadaptername', Settings: { NetworkAdapterName: 'Ethernet 2' } } },
      ],
    });
    expect(c.endpointPolicies).toEqual([
      { Type: 'SDNRoute', Settings: { DestinationPrefix: '10.0.0.0/8', NeedEncap: true } },
    ]);
    expect(c.networkPolicies).toEqual([{ Type: 'NetAdapterName', Settings: { NetworkAdapterName: 'Ethernet 2' } }]);
  });

  it('keeps an unknown v2 type as written, with a warning', () => {
    const r = readPolicyArgs(
      [{ Name: 'EndpointPolicy', Value: { Type: 'FuturePolicy', Settings: { A: 1 } } }],
      'AdditionalArgs',
    );
    expect(r.endpoint).toEqual([{ Type: 'FuturePolicy', Settings: { A: 1 } }]);
    expect(r.warnings).toEqual([
      'AdditionalArgs[0].Value: policy type "FuturePolicy" is not one hcsshim knows; passed to HNS as written',
    ]);
  });

  it('ignores names without "Policy", warns about unknown *Policy names (the Go plugin drops both)', () => {
    const r = readPolicyArgs(
      [
        { Name: 'SomethingElse', Value: 1 },
        { Name: 'OutBoundNatPolicy', Value: { Type: 'OutBoundNAT' } },
      ],
      'AdditionalArgs',
    );
    expect(r.endpoint).toEqual([]);
    expect(r.network).toEqual([]);
    expect(r.warnings).toEqual([
      'AdditionalArgs[1]: "OutBoundNatPolicy" is not EndpointPolicy or NetworkPolicy; ignored',
    ]);
  });

  it("also reads win-bridge's `policies` key, after AdditionalArgs", () => {
    const c = parseNatConfig({
      ...base,
      AdditionalArgs: [
        { Name: 'EndpointPolicy', Value: { Type: 'OutBoundNAT', Settings: { Exceptions: ['10.0.0.0/8'] } } },
      ],
      Policies: [
        { name: 'EndpointPolicy', value: { Type: 'ROUTE', DestinationPrefix: '10.96.0.0/12', NeedEncap: true } },
      ],
    });
    expect(c.endpointPolicies.map((p) => p.Type)).toEqual(['OutBoundNAT', 'SDNRoute']);
  });
});

describe('HNS v1 flat policies are translated to HCN v2', () => {
  it.each([
    [
      { Type: 'OutBoundNAT', ExceptionList: ['10.244.0.0/16', '10.96.0.0/12'] },
      { Type: 'OutBoundNAT', Settings: { Exceptions: ['10.244.0.0/16', '10.96.0.0/12'] } },
    ],
    [
      { Type: 'OutBoundNAT', VIP: '10.0.0.5', Destinations: ['10.0.0.6'] },
      { Type: 'OutBoundNAT', Settings: { VirtualIP: '10.0.0.5', Destinations: ['10.0.0.6'] } },
    ],
    [
      { Type: 'ROUTE', DestinationPrefix: '10.96.0.0/12', NeedEncap: true },
      { Type: 'SDNRoute', Settings: { DestinationPrefix: '10.96.0.0/12', NeedEncap: true } },
    ],
    [
      { type: 'PA', pa: '10.1.1.1' },
      { Type: 'ProviderAddress', Settings: { ProviderAddress: '10.1.1.1' } },
    ],
    [
      { Type: 'NAT', InternalPort: 80, ExternalPort: 8080, Protocol: 'tcp' },
      { Type: 'PortMapping', Settings: { InternalPort: 80, ExternalPort: 8080, Protocol: 6 } },
    ],
    [
      { Type: 'ACL', Id: 'x', Protocol: 6, Action: 'Allow', Direction: 'In', LocalPorts: '80', Priority: 200 },
      { Type: 'ACL', Settings: { Protocols: '6', Action: 'Allow', Direction: 'In', LocalPorts: '80', Priority: 200 } },
    ],
    [
      { Type: 'QOS', MaximumOutgoingBandwidthInBytes: 1000 },
      { Type: 'QOS', Settings: { MaximumOutgoingBandwidthInBytes: 1000 } },
    ],
  ])('%j', (v1, v2) => {
    expect(
      parseNatConfig({ ...base, AdditionalArgs: [{ Name: 'EndpointPolicy', Value: v1 }] }).endpointPolicies,
    ).toEqual([v2]);
  });

  it('refuses a v1 type it cannot translate, saying how to write it', () => {
    const err = errorOf(() =>
      parseNatConfig({ ...base, AdditionalArgs: [{ Name: 'EndpointPolicy', Value: { Type: 'VLAN', VLAN: 5 } }] }),
    );
    expect(err.code).toBe(7);
    expect(err.msg).toMatch(
      /^AdditionalArgs\[0\]\.Value\.Type: "VLAN" is an HNS v1 flat policy that cannot be translated/,
    );
  });
});

describe('malformed policies are code 7 naming the entry (the Go plugin panics)', () => {
  it.each([
    [{ AdditionalArgs: { Name: 'EndpointPolicy' } }, 'AdditionalArgs: expected a list'],
    [{ AdditionalArgs: ['x'] }, 'AdditionalArgs[0]: expected {"Name": ..., "Value": ...}'],
    [{ AdditionalArgs: [{ Value: {} }] }, 'AdditionalArgs[0].Name: a name (string) is required'],
    [{ AdditionalArgs: [{ Name: 5, Value: {} }] }, 'AdditionalArgs[0].Name: a name (string) is required'],
    [{ AdditionalArgs: [{ Name: 'EndpointPolicy' }] }, 'AdditionalArgs[0].Value: a policy value is required'],
    [
      { AdditionalArgs: [{ Name: 'EndpointPolicy', Value: 'OutBoundNAT' }] },
      'AdditionalArgs[0].Value: expected an object',
    ],
    [{ AdditionalArgs: [{ Name: 'EndpointPolicy', Value: [1] }] }, 'AdditionalArgs[0].Value: expected an object'],
    [
      { AdditionalArgs: [{ Name: 'NetworkPolicy', Value: { Settings: {} } }] },
      'AdditionalArgs[0].Value.Type: a policy type (string) is required',
    ],
    [
      { AdditionalArgs: [{ Name: 'EndpointPolicy', Value: { Type: 'ACL', Settings: 'x' } }] },
      'AdditionalArgs[0].Value.Settings: expected an object',
    ],
    [
      {
        AdditionalArgs: [
          { Name: 'EndpointPolicy', Value: { Type: 'OutBoundNAT', Settings: { Exceptions: ['10.0.0.0/8', 'ten'] } } },
        ],
      },
      'AdditionalArgs[0].Value.Settings.Exceptions[1]: "ten" is not an IP address or CIDR',
    ],
    [
      { AdditionalArgs: [{ Name: 'EndpointPolicy', Value: { Type: 'OutBoundNAT', ExceptionList: ['10.0.0.0/33'] } }] },
      'AdditionalArgs[0].Value.Settings.Exceptions[0]: "10.0.0.0/33" is not an IP address or CIDR',
    ],
    [
      {
        AdditionalArgs: [
          { Name: 'EndpointPolicy', Value: { Type: 'NAT', InternalPort: 1, ExternalPort: 2, Protocol: 'sctp' } },
        ],
      },
      'AdditionalArgs[0].Value.Protocol: unknown protocol "sctp"',
    ],
    [{ policies: [{ Name: 'EndpointPolicy', Value: 3 }] }, 'policies[0].Value: expected an object'],
  ])('%j', (extra, message) => {
    const err = errorOf(() => parseNatConfig({ ...base, ...extra }));
    expect(err.code).toBe(7);
    expect(err.msg.startsWith(message)).toBe(true);
  });
});
