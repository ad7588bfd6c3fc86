import { describe, expect, it } from 'vitest';
import { parseNatConfig } from '../../plugin/config';
import { errorOf } from './cni-error';

const base = { cniVersion: '1.0.0', name: 'nat', type: 'nat' };
const expectInvalid = (raw: unknown, message: string | RegExp, args?: Record<string, string>) => {
  const err = errorOf(() => parseNatConfig(raw, args ? { args } : {}));
  expect(err.code).toBe(7);
  if (typeof message === 'string') expect(err.msg.startsWith(message), err.msg).toBe(true);
  else expect(err.msg).toMatch(message);
};

describe('top-level fields', () => {
  it.each([
    [{ cniVersion: '0.2.0', name: 'natNetwork', type: 'nat', master: 'Ethernet' }],
    [{ CNIVersion: '0.2.0', Name: 'natNetwork', Type: 'NAT', Master: 'Ethernet' }],
    [{ cniversion: '0.2.0', name: 'natNetwork', type: 'Nat', MASTER: 'Ethernet' }],
  ])('reads %j', (raw) => {
    const c = parseNatConfig(raw);
    expect(c).toMatchObject({ cniVersion: '0.2.0', name: 'natNetwork', type: 'nat', master: 'Ethernet' });
  });

  it('has documented defaults for a minimal config', () => {
    const c = parseNatConfig(base);
    expect(c).toEqual({
      cniVersion: '1.0.0',
      name: 'nat',
      type: 'nat',
      master: undefined,
      ipam: { type: '', raw: {} },
      subnets: [],
      dns: { nameservers: [], domain: '', search: [], options: [] },
      networkDns: { nameservers: [], domain: '', search: [], options: [] },
      portMappings: [],
      flags: {
        localRoutedPortMapping: false,
        allowAclPortMapping: false,
        forceBridgeGateway: false,
        enableDualStack: false,
        loopbackDSR: false,
        gatewayFromAdditionalRoutes: false,
        errorOnNetworkMismatch: false,
        errorOnMissingAdapter: false,
      },
      additionalRoutes: [],
      endpointPolicies: [],
      networkPolicies: [],
      outboundNatExceptions: [],
      staticIps: [],
      mac: undefined,
      logFile: undefined,
      logLevel: 'info',
      warnings: [],
    });
  });

  it('ignores unknown keys at every level', () => {
    const c = parseNatConfig({
      ...base,
      someFutureField: 123,
      'cni.dev/anything': {},
      capabilities: { portMappings: true, dns: true },
      ipam: { subnet: '10.4.0.0/24', dataDir: 'x', routes: [{ gateway: '10.4.0.1', metric: 5 }] },
      runtimeConfig: { unknownCap: 1, bandwidth: { ingressRate: 1 } },
      optionalFlags: { someNewFlag: true },
    });
    expect(c.subnets[0]?.gateway).toBe('10.4.0.1');
  });

  it.each([
    ['l2bridge', /^type: "l2bridge" is not supported by this plugin, which implements only "nat"/],
    ['L2Bridge', /^type: "L2Bridge" is not supported/],
    ['overlay', /^type: "overlay" is not supported/],
    ['sdnbridge', /^type: "sdnbridge" is not supported/],
    ['transparent', /^type: "transparent" is not supported/],
    ['', /^type: is required; this plugin implements "nat"/],
  ])('type %j is code 7 naming the supported type', (type, message) => expectInvalid({ ...base, type }, message));

  it('refuses a missing type, a missing name and a non-object document', () => {
    expectInvalid({ cniVersion: '1.0.0', name: 'nat' }, /^type: is required/);
    expectInvalid({ type: 'nat' }, /^name: the network name is required/);
    expectInvalid([], /^\(config\): expected a JSON object, got an array/);
    expectInvalid(null, /^\(config\): expected a JSON object, got null/);
  });

  it.each([
    [{ ipam: 5 }, 'ipam: expected object'],
    [{ master: 5 }, 'master: expected string'],
    [{ optionalFlags: { loopbackDSR: 'yes' } }, 'optionalFlags.loopbackDSR: expected boolean'],
    [{ OptionalFlags: { LoopbackDSR: 1 } }, 'optionalFlags.loopbackDSR: expected boolean'],
    [{ runtimeConfig: [] }, 'runtimeConfig: expected object'],
  ])('a value of the wrong type %j is code 7 naming the field', (extra, message) =>
    expectInvalid({ ...base, ...extra }, message),
  );
});

describe('optionalFlags', () => {
  const names = [
    'localRoutedPortMapping',
    'allowAclPortMapping',
    'forceBridgeGateway',
    'enableDualStack',
    'loopbackDSR',
    'gatewayFromAdditionalRoutes',
    'errorOnNetworkMismatch',
    'errorOnMissingAdapter',
  ] as const;
  for (const name of names) {
    it.each([name, name.toLowerCase(), name[0]?.toUpperCase() + name.slice(1)])(`reads ${name} as %s`, (key) => {
      const c = parseNatConfig({ ...base, optionalFlags: { [key]: true } });
      for (const other of names) expect(c.flags[other]).toBe(other === name);
    });
  }

  it('treats null as false, as Go does', () => {
    expect(
      parseNatConfig({ ...base, optionalFlags: { loopbackDSR: null }, OptionalFlags: null }).flags.loopbackDSR,
    ).toBe(false);
  });

  it("also honours win-bridge's top-level loopbackDSR", () => {
    expect(parseNatConfig({ ...base, LoopbackDSR: true }).flags.loopbackDSR).toBe(true);
    expect(
      parseNatConfig({ ...base, loopbackDSR: false, optionalFlags: { loopbackDSR: true } }).flags.loopbackDSR,
    ).toBe(true);
  });
});

describe('subnet and gateway', () => {
  it.each([
    [{ subnet: '192.168.100.0/24' }, '192.168.100.0/24', '192.168.100.1', 'derived'],
    [
      { Subnet: '192.168.1.0/24', Routes: [{ GW: '192.168.1.2' }] },
      '192.168.1.0/24',
      '192.168.1.2',
      'ipam.routes[0].gw',
    ],
    [{ SUBNET: '10.4.0.0/24', routes: [{ gw: '10.4.0.9' }] }, '10.4.0.0/24', '10.4.0.9', 'ipam.routes[0].gw'],
    // nerdctl writes `gateway`, which the Go plugin ignores (it derives .1 whatever the user asked for).
    [
      { subnet: '10.4.0.0/24', routes: [{ gateway: '10.4.0.254' }] },
      '10.4.0.0/24',
      '10.4.0.254',
      'ipam.routes[0].gateway',
    ],
    [
      { subnet: '10.4.0.0/24', routes: [{ Gateway: '10.4.0.254' }] },
      '10.4.0.0/24',
      '10.4.0.254',
      'ipam.routes[0].gateway',
    ],
    [
      { subnet: '10.4.0.0/24', routes: [{ dst: '0.0.0.0/0' }, { gw: '10.4.0.7' }] },
      '10.4.0.0/24',
      '10.4.0.7',
      'ipam.routes[1].gw',
    ],
    [{ subnet: 'fd00::/64' }, 'fd00::/64', 'fd00::1', 'derived'],
    [{ subnet: 'fd00::/64', routes: [{ gw: 'FD00::FFFF' }] }, 'fd00::/64', 'fd00::ffff', 'ipam.routes[0].gw'],
    [{ subnet: '10.1.2.4/31' }, '10.1.2.4/31', '10.1.2.4', 'derived'],
    [{ subnet: '10.1.2.4/32' }, '10.1.2.4/32', '10.1.2.4', 'derived'],
    [{ subnet: 'fd00::4/127' }, 'fd00::4/127', 'fd00::4', 'derived'],
    [{ subnet: 'fd00::4/128' }, 'fd00::4/128', 'fd00::4', 'derived'],
  ])('ipam %j -> %s via %s', (ipam, prefix, gateway, source) => {
    const [subnet, ...rest] = parseNatConfig({ ...base, ipam }).subnets;
    expect(rest).toEqual([]);
    expect(subnet).toMatchObject({ prefix, gateway, gatewaySource: source });
  });

  it('uses the network address when the subnet has host bits, with a warning (Go derives .6 from 10.4.0.5/24)', () => {
    const c = parseNatConfig({ ...base, ipam: { subnet: '10.4.0.5/24' } });
    expect(c.subnets).toMatchObject([{ prefix: '10.4.0.0/24', gateway: '10.4.0.1' }]);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(
      /^ipam\.subnet "10\.4\.0\.5\/24" has host bits set, which HNS refuses \(0x803B000A\); using network 10\.4\.0\.0\/24\. Fix ipam\.subnet/,
    );
  });

  it('prefers gw to gateway in one route, and warns when they differ', () => {
    const c = parseNatConfig({
      ...base,
      ipam: { subnet: '10.4.0.0/24', routes: [{ gateway: '10.4.0.3', GW: '10.4.0.2' }] },
    });
    expect(c.subnets[0]?.gateway).toBe('10.4.0.2');
    expect(c.warnings).toEqual(['ipam.routes[0]: both gw (10.4.0.2) and gateway (10.4.0.3) are set; gw is used']);
  });

  it('derives dual-stack subnets from host-local ranges (the Go plugin drops them)', () => {
    const c = parseNatConfig({
      ...base,
      ipam: {
        type: 'host-local',
        ranges: [
          [{ subnet: '192.168.1.0/24', rangeStart: '192.168.1.10', rangeEnd: '192.168.1.50', gateway: '192.168.1.2' }],
          [{ Subnet: 'fd00::100/120' }, { subnet: 'fd00::200/120' }],
        ],
      },
    });
    expect(c.subnets.map((s) => [s.prefix, s.gateway, s.gatewaySource])).toEqual([
      ['192.168.1.0/24', '192.168.1.2', 'ipam.ranges[0][0].gateway'],
      ['fd00::100/120', 'fd00::101', 'derived'],
    ]);
  });

  it('lets ipam.subnet and ranges name the same subnet', () => {
    const c = parseNatConfig({
      ...base,
      ipam: { subnet: '10.0.0.0/24', ranges: [[{ subnet: '10.0.0.0/24', gateway: '10.0.0.9' }]] },
    });
    expect(c.subnets).toMatchObject([{ prefix: '10.0.0.0/24', gateway: '10.0.0.9' }]);
  });

  it('gatewayFromAdditionalRoutes takes the default route of the family when no route names a gateway', () => {
    const raw = {
      ...base,
      ipam: { subnet: 'fd00::/64' },
      additionalRoutes: [
        { Dst: '::/0', GW: 'fd00::2' },
        { dst: '10.0.0.0/8', gw: '10.4.0.1' },
      ],
    };
    expect(parseNatConfig(raw).subnets[0]?.gateway).toBe('fd00::1');
    const c = parseNatConfig({ ...raw, optionalFlags: { gatewayFromAdditionalRoutes: true } });
    expect(c.subnets[0]).toMatchObject({ gateway: 'fd00::2', gatewaySource: 'additionalRoutes[0].gw' });
    expect(c.additionalRoutes).toEqual([
      { dst: '::/0', gw: 'fd00::2' },
      { dst: '10.0.0.0/8', gw: '10.4.0.1' },
    ]);
  });

  it('keeps the ipam object as written for delegation, unknown keys included', () => {
    const ipam = { Type: 'host-local', subnet: '10.4.0.0/24', dataDir: 'C:\\x', ranges: [[{ subnet: '10.4.0.0/24' }]] };
    const c = parseNatConfig({ ...base, ipam });
    expect(c.ipam).toEqual({ type: 'host-local', raw: ipam });
  });

  it.each([
    [{ ipam: { subnet: '10.0.0.0/33' } }, 'ipam.subnet: "10.0.0.0/33" has prefix length 33, more than 32'],
    [{ ipam: { subnet: '10.0.0.0' } }, 'ipam.subnet: "10.0.0.0" is not a CIDR'],
    [{ ipam: { subnet: 'fd00::/129' } }, 'ipam.subnet: "fd00::/129" has prefix length 129, more than 128'],
    [{ ipam: { subnet: 'banana/8' } }, 'ipam.subnet: "banana/8" is not a valid CIDR'],
    [{ ipam: { subnet: 10 } }, 'ipam.subnet: expected string'],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ gw: '10.5.0.1' }] } },
      'ipam.routes[0].gw: 10.5.0.1 is outside subnet 10.4.0.0/24',
    ],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ gateway: '10.4.0.0' }] } },
      'ipam.routes[0].gateway: 10.4.0.0 is the network address of 10.4.0.0/24',
    ],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ GW: '10.4.0.255' }] } },
      'ipam.routes[0].gw: 10.4.0.255 is the broadcast address of 10.4.0.0/24',
    ],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ gw: 'fd00::1' }] } },
      'ipam.routes[0].gw: fd00::1 is IPv6 but no IPv6 subnet is configured',
    ],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ gw: '10.4.0.300' }] } },
      'ipam.routes[0].gw: "10.4.0.300" is not a valid IPv4 address',
    ],
    [
      { ipam: { subnet: '10.4.0.0/24', routes: [{ dst: '0.0.0.0/40', gw: '10.4.0.1' }] } },
      'ipam.routes[0].dst: "0.0.0.0/40" has prefix length 40',
    ],
    [{ ipam: { subnet: '10.4.0.0/24', routes: { gw: '10.4.0.1' } } }, 'ipam.routes: expected array'],
    [
      { ipam: { ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.1.0.0/24' }]] } },
      'ipam.ranges[1][0].subnet: a second IPv4 subnet (10.1.0.0/24, after 10.0.0.0/24',
    ],
    [
      { ipam: { ranges: [[{ subnet: '10.0.0.0/24', gateway: '10.1.0.1' }]] } },
      'ipam.ranges[0][0].gateway: 10.1.0.1 is outside subnet 10.0.0.0/24',
    ],
    [{ ipam: { ranges: [[{ rangeStart: '10.0.0.5' }]] } }, 'ipam.ranges[0][0].subnet: expected string'],
    [{ additionalRoutes: [{ gw: '10.0.0.1' }] }, 'additionalRoutes[0].dst: a destination CIDR is required'],
    [
      { additionalRoutes: [{ dst: '::/0', gw: '10.0.0.1' }] },
      'additionalRoutes[0].gw: 10.0.0.1 is IPv4 but dst ::/0 is IPv6',
    ],
    [{ additionalRoutes: [{ dst: '::/0' }] }, 'additionalRoutes[0].gw: a gateway address is required'],
  ])('%j is code 7 naming the field', (extra, message) => expectInvalid({ ...base, ...extra }, message));

  it('warns about, and ignores, a route gateway when there is no subnet', () => {
    const c = parseNatConfig({ ...base, ipam: { routes: [{ GW: '10.4.0.1' }] } });
    expect(c.subnets).toEqual([]);
    expect(c.warnings).toEqual(['ipam.routes[0].gw: no ipam.subnet to go with gateway 10.4.0.1; ignored']);
  });
});

describe('logging fields', () => {
  it.each([
    ['debug', 'debug'],
    ['DEBUG', 'debug'],
    ['Warning', 'warn'],
    ['warn', 'warn'],
    ['error', 'error'],
    ['info', 'info'],
  ])('logLevel %s -> %s', (level, expected) => {
    expect(parseNatConfig({ ...base, LogLevel: level }).logLevel).toBe(expected);
  });

  it.each(['C:\\ProgramData\\nat-cni\\nat.log', 'c:/logs/nat.log', '\\\\server\\share\\nat.log', '/var/log/nat.log'])(
    'accepts the absolute logFile %s',
    (file) => expect(parseNatConfig({ ...base, logfile: file }).logFile).toBe(file),
  );

  it('refuses a relative logFile and an unknown level', () => {
    expectInvalid({ ...base, logFile: 'wincni.log' }, 'logFile: "wincni.log" is not an absolute path');
    expectInvalid({ ...base, logLevel: 'verbose' }, 'logLevel: "verbose" is not one of error, warn, info, debug');
  });
});

describe('the error carries every problem', () => {
  it('puts the first in msg and the rest in details', () => {
    const err = errorOf(() =>
      parseNatConfig({ ...base, master: 1, runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 70000 }] } }),
    );
    expect(err.msg).toBe('master: expected string, got number');
    expect(err.details).toContain('runtimeConfig.portMappings[0].hostPort: 0 is outside 1-65535');
    expect(err.details).toContain('runtimeConfig.portMappings[0].containerPort: 70000 is outside 1-65535');
  });
});
