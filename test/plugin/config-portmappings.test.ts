import { describe, expect, it } from 'vitest';
import { protocolNumber } from '../../plugin/portmappings';
import { parseNatConfig } from '../../plugin/config';
import { errorOf } from './cni-error';

const base = { cniVersion: '1.0.0', name: 'nat', type: 'nat' };
const withMappings = (portMappings: unknown, optionalFlags?: unknown) =>
  parseNatConfig({ ...base, ...(optionalFlags ? { optionalFlags } : {}), runtimeConfig: { portMappings } });

describe('protocolNumber', () => {
  it.each([
    ['tcp', 6],
    ['TCP', 6],
    ['Udp', 17],
    ['icmpv4', 1],
    ['IGMP', 2],
    ['icmpv6', 58],
    [6, 6],
    [0, 0],
    [255, 255],
    ['132', 132],
    [undefined, 6],
    ['', 6],
  ])('%j -> %d', (value, n) => expect(protocolNumber(value)).toEqual({ ok: true, value: n }));

  it.each([['sctp'], [256], [-1], [1.5], ['0x6'], ['06'], ['tcp '], [true], [null]])('refuses %j', (value) => {
    expect(protocolNumber(value).ok).toBe(false);
  });

  it('says why sctp is refused and what is accepted', () => {
    const r = protocolNumber('SCTP');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/sctp support.*accepted: tcp, udp/);
  });
});

describe('runtimeConfig.portMappings', () => {
  it('reads the CNI spelling and containerd spelling alike', () => {
    const camel = withMappings([{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }]);
    const pascal = withMappings([{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '' }]);
    const lower = withMappings([{ hostport: 8080, containerport: 80, protocol: 'tcp', hostip: '' }]);
    const expected = [{ hostPort: 8080, containerPort: 80, protocol: 6, localRouted: false, allowAcl: false }];
    expect(camel.portMappings).toEqual(expected);
    expect(pascal.portMappings).toEqual(expected);
    expect(lower.portMappings).toEqual(expected);
  });

  it('reads the capability keys themselves case-insensitively', () => {
    const c = parseNatConfig({
      ...base,
      RuntimeConfig: { PortMappings: [{ HostPort: 1, ContainerPort: 2, Protocol: 'UDP' }] },
    });
    expect(c.portMappings).toMatchObject([{ hostPort: 1, containerPort: 2, protocol: 17 }]);
  });

  it('treats hostIP "", 0.0.0.0 and :: as every host address (no VIP), keeps a real one', () => {
    const c = withMappings([
      { hostPort: 1, containerPort: 1, hostIP: '0.0.0.0' },
      { hostPort: 2, containerPort: 2, hostIP: '::' },
      { hostPort: 3, containerPort: 3 },
      { hostPort: 4, containerPort: 4, hostIP: '192.168.1.10' },
      { hostPort: 5, containerPort: 5, hostIP: '2001:DB8::1' },
    ]);
    expect(c.portMappings.map((m) => m.vip)).toEqual([undefined, undefined, undefined, '192.168.1.10', '2001:db8::1']);
    expect(c.portMappings[4]?.vipFamily).toBe(6);
  });

  it('applies localRoutedPortMapping and allowAclPortMapping from optionalFlags', () => {
    const c = withMappings([{ hostPort: 1, containerPort: 1 }], {
      LocalRoutedPortMapping: true,
      allowaclportmapping: true,
    });
    expect(c.portMappings[0]).toMatchObject({ localRouted: true, allowAcl: true });
  });

  it.each([
    [[{ hostPort: 70000, containerPort: 80 }], 'runtimeConfig.portMappings[0].hostPort: 70000 is outside 1-65535'],
    [[{ hostPort: 0, containerPort: 80 }], 'runtimeConfig.portMappings[0].hostPort: 0 is outside 1-65535'],
    [
      [
        { hostPort: 1, containerPort: 1 },
        { HostPort: 80, ContainerPort: 65536 },
      ],
      'runtimeConfig.portMappings[1].containerPort: 65536 is outside 1-65535',
    ],
    [
      [{ hostPort: '8080', containerPort: 80 }],
      'runtimeConfig.portMappings[0].hostPort: "8080" is not an integer port',
    ],
    [[{ hostPort: 80.5, containerPort: 80 }], 'runtimeConfig.portMappings[0].hostPort: 80.5 is not an integer port'],
    [[{ containerPort: 80 }], 'runtimeConfig.portMappings[0].hostPort: is required'],
    [
      [{ hostPort: 80, containerPort: 80, protocol: 'sctp' }],
      'runtimeConfig.portMappings[0].protocol: unknown protocol "sctp"',
    ],
    [
      [{ hostPort: 80, containerPort: 80, Protocol: 300 }],
      'runtimeConfig.portMappings[0].protocol: 300 is not an IANA protocol number',
    ],
    [
      [{ hostPort: 80, containerPort: 80, HostIP: '10.0.0.300' }],
      'runtimeConfig.portMappings[0].hostIP: "10.0.0.300" is not a valid',
    ],
    ['nope', 'runtimeConfig.portMappings: expected array'],
  ])('%j is code 7 naming the field', (mappings, message) => {
    const err = errorOf(() => withMappings(mappings));
    expect(err.code).toBe(7);
    expect(err.msg.startsWith(message)).toBe(true);
  });
});
