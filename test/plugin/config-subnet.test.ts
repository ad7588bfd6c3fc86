import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstHostAddress,
  formatIp,
  gatewayProblem,
  hasReservedNetworkAddress,
  parseCidr,
  parseIp,
  subnetContains,
  type Subnet,
} from '../../plugin/subnet';

const cidr = (text: string): Subnet => {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const ip = (text: string) => {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('parseIp', () => {
  it('parses IPv4 and IPv6 into canonical text', () => {
    expect(ip('10.4.0.1')).toMatchObject({ family: 4, address: '10.4.0.1' });
    expect(ip('10::06')).toMatchObject({ family: 6, address: '10::6' });
    expect(ip('FD00:0:0::1')).toMatchObject({ family: 6, address: 'fd00::1' });
  });
  it.each([
    '',
    '1.2.3',
    '256.1.1.1',
    '010.1.1.1',
    ' 1.2.3.4',
    '1.2.3.4/24',
    'fe80::1%eth0',
    'ip of host',
    '::ffff:1.2.3.4',
    'gggg::1',
  ])('refuses %j', (text) => expect(parseIp(text).ok).toBe(false));
});

describe('parseCidr', () => {
  it('clears host bits and says so', () => {
    expect(cidr('10.4.0.5/24')).toMatchObject({ network: '10.4.0.0', prefix: '10.4.0.0/24', hadHostBits: true });
    expect(cidr('10.4.0.0/24').hadHostBits).toBe(false);
    // containerd's install script writes /(32-prefix): the /12 of 172.20.48.0 is 172.16.0.0.
    expect(cidr('172.20.48.0/12').prefix).toBe('172.16.0.0/12');
    expect(cidr('fd00::100/120')).toMatchObject({ family: 6, prefix: 'fd00::100/120', hadHostBits: false });
    expect(cidr('10::06/64').prefix).toBe('10::/64');
  });
  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0.0', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', 'x/8', '/8', ''])(
    'refuses %j',
    (text) => expect(parseCidr(text).ok).toBe(false),
  );
});

describe('firstHostAddress', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.1'],
    ['192.168.100.0/24', '192.168.100.1'],
    ['10.4.0.5/24', '10.4.0.1'], // the Go plugin gives .6 (IP part + 1)
    ['10.4.0.255/24', '10.4.0.1'], // the Go plugin wraps to .0
    ['172.20.48.0/12', '172.16.0.1'],
    ['10.1.2.4/30', '10.1.2.5'],
    ['10.1.2.4/31', '10.1.2.4'],
    ['10.1.2.4/32', '10.1.2.4'],
    ['0.0.0.0/0', '0.0.0.1'],
    ['fd00::/64', 'fd00::1'],
    ['fd00::100/120', 'fd00::101'],
    ['fd00::4/126', 'fd00::5'],
    ['fd00::4/127', 'fd00::4'],
    ['fd00::4/128', 'fd00::4'],
  ])('%s -> %s', (subnet, gateway) => expect(firstHostAddress(cidr(subnet))).toBe(gateway));
});

describe('gatewayProblem', () => {
  const s = cidr('10.4.0.0/24');
  it('accepts a host address inside the subnet', () => expect(gatewayProblem(s, ip('10.4.0.254'))).toBeUndefined());
  it('names each problem', () => {
    expect(gatewayProblem(s, ip('10.5.0.1'))).toBe('10.5.0.1 is outside subnet 10.4.0.0/24');
    expect(gatewayProblem(s, ip('10.4.0.0'))).toBe('10.4.0.0 is the network address of 10.4.0.0/24');
    expect(gatewayProblem(s, ip('10.4.0.255'))).toBe('10.4.0.255 is the broadcast address of 10.4.0.0/24');
    expect(gatewayProblem(s, ip('fd00::1'))).toBe('fd00::1 is IPv6 but subnet 10.4.0.0/24 is IPv4');
  });
  it('allows every address of a /31 and /127', () => {
    expect(gatewayProblem(cidr('10.0.0.0/31'), ip('10.0.0.0'))).toBeUndefined();
    expect(gatewayProblem(cidr('10.0.0.0/31'), ip('10.0.0.1'))).toBeUndefined();
    expect(gatewayProblem(cidr('fd00::/127'), ip('fd00::'))).toBeUndefined();
  });
});

const v4Subnet = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
  .map(([n, len]) => cidr(`${formatIp(4, BigInt(n))}/${len}`));
const v6Subnet = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
  .map(([n, len]) => cidr(`${formatIp(6, n)}/${len}`));

describe('gateway properties', () => {
  for (const [family, arb] of [
    ['IPv4', v4Subnet],
    ['IPv6', v6Subnet],
  ] as const) {
    it(`${family}: the derived gateway is inside the subnet and is a valid gateway`, () => {
      fc.assert(
        fc.property(arb, (s) => {
          const gw = ip(firstHostAddress(s));
          expect(subnetContains(s, gw)).toBe(true);
          expect(gatewayProblem(s, gw)).toBeUndefined();
        }),
      );
    });
    it(`${family}: the gateway is never the network address while the network address is reserved`, () => {
      fc.assert(
        fc.property(arb, (s) => {
          const gw = firstHostAddress(s);
          const reserved = s.prefixLength < (s.family === 4 ? 31 : 127);
          expect(hasReservedNetworkAddress(s)).toBe(reserved);
          if (reserved) expect(gw).not.toBe(s.network);
          else expect(gw).toBe(s.network);
        }),
      );
    });
    it(`${family}: parsing the normalised prefix is a fixed point`, () => {
      fc.assert(
        fc.property(arb, (s) => {
          expect(cidr(s.prefix)).toEqual({ ...s, hadHostBits: false });
        }),
      );
    });
  }
});
