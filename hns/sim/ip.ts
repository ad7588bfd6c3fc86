/** IP addresses, prefixes and MAC addresses as integers, for allocation and overlap checks. */
import { isIPv4, isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';

export type Family = 4 | 6;
export type Ip = { family: Family; value: bigint };
export type Cidr = { family: Family; base: bigint; bits: number; hostBitsSet: boolean };

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

export function parseIp(s: string): Ip | undefined {
  if (isIPv4(s)) {
    const v = s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    return { family: 4, value: v };
  }
  // Zones (fe80::1%eth0) are not addresses HNS accepts in its documents [I].
  if (isIPv6(s) && !s.includes('%')) return { family: 6, value: new Address6(s).bigInt() };
  return undefined;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  }
  return Address6.fromBigInt(ip.value).correctForm();
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const ip = parseIp(m[1]);
  const bits = Number(m[2]);
  if (!ip || bits > WIDTH[ip.family]) return undefined;
  const hostMask = (1n << BigInt(WIDTH[ip.family] - bits)) - 1n;
  return { family: ip.family, base: ip.value & ~hostMask, bits, hostBitsSet: (ip.value & hostMask) !== 0n };
}

export const formatCidr = (c: Cidr): string => `${formatIp({ family: c.family, value: c.base })}/${c.bits}`;

export const cidrSize = (c: Cidr): bigint => 1n << BigInt(WIDTH[c.family] - c.bits);
export const cidrLast = (c: Cidr): bigint => c.base + cidrSize(c) - 1n;

export const cidrContains = (c: Cidr, ip: Ip): boolean =>
  c.family === ip.family && ip.value >= c.base && ip.value <= cidrLast(c);

export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  a.family === b.family && a.base <= cidrLast(b) && b.base <= cidrLast(a);

export const isDefaultRoute = (prefix: string | undefined): boolean => prefix === '0.0.0.0/0' || prefix === '::/0';

/** An unspecified address (0.0.0.0, ::) means "every host address" as a port-mapping VIP. */
export const isUnspecified = (ip: Ip): boolean => ip.value === 0n;

const MAC_RE = /^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

export function parseMac(s: string): bigint | undefined {
  return MAC_RE.test(s) ? BigInt('0x' + s.replace(/[-:]/g, '')) : undefined;
}

/** HNS's MAC spelling: uppercase hex with dashes (00-15-5D-52-C0-00). */
export function formatMac(v: bigint): string {
  const hex = v.toString(16).toUpperCase().padStart(12, '0');
  return hex.match(/../g)?.join('-') ?? hex;
}
