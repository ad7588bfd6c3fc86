/**
 * IP address and subnet arithmetic for the nat config: parsing, containment and the default gateway.
 * Works for IPv4 and IPv6 and for every prefix length, which the Go plugin does not (it increments the
 * last byte of the CIDR's IP part, so it panics on IPv6 and wraps `.255` to `.0`).
 */
import { Address4, Address6 } from 'ip-address';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** Canonical text: dotted decimal, or RFC 5952 compressed IPv6. */
  address: string;
  value: bigint;
}

export interface Subnet {
  family: IpFamily;
  /** The network address (host bits cleared). */
  network: string;
  prefixLength: number;
  /** `network/prefixLength`, the form HNS stores. */
  prefix: string;
  /** True when the text had host bits set (`10.4.0.5/24`); the network form is used anyway. */
  hadHostBits: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Parse a bare IP address (no prefix, no zone). IPv4-mapped IPv6 is refused as ambiguous. */
export function parseIp(text: string): Parsed<IpAddress> {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    try {
      const a = new Address4(text);
      return { ok: true, value: { family: 4, address: a.correctForm(), value: a.bigInt() } };
    } catch (e) {
      return { ok: false, reason: `"${text}" is not a valid IPv4 address (${(e as Error).message})` };
    }
  }
  if (text.includes(':') && !text.includes('/') && !text.includes('%')) {
    try {
      const a = new Address6(text);
      if (a.isMapped4())
        return { ok: false, reason: `"${text}" is an IPv4-mapped IPv6 address; write the IPv4 address` };
      return { ok: true, value: { family: 6, address: a.correctForm(), value: a.bigInt() } };
    } catch {
      // fall through to the common message
    }
  }
  return { ok: false, reason: `"${text}" is not a valid IP address` };
}

export function formatIp(family: IpFamily, value: bigint): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

const maskOf = (family: IpFamily, prefixLength: number): bigint => {
  const bits = BITS[family];
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefixLength)) - 1n);
};

/** Parse `address/prefixLength`. Host bits are allowed (Go's ParseCIDR allows them) and cleared. */
export function parseCidr(text: string): Parsed<Subnet> {
  const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return { ok: false, reason: `"${text}" is not a CIDR (address/prefix-length)` };
  const ip = parseIp(m[1] as string);
  if (!ip.ok) return { ok: false, reason: `"${text}" is not a valid CIDR: ${ip.reason}` };
  const prefixLength = Number(m[2]);
  const { family, value } = ip.value;
  if (prefixLength > BITS[family]) {
    return { ok: false, reason: `"${text}" has prefix length ${prefixLength}, more than ${BITS[family]}` };
  }
  const networkValue = value & maskOf(family, prefixLength);
  const network = formatIp(family, networkValue);
  return {
    ok: true,
    value: { family, network, prefixLength, prefix: `${network}/${prefixLength}`, hadHostBits: networkValue !== value },
  };
}

/** Parse an address with or without a prefix length (runtimeConfig.ips, OutBoundNAT exceptions). */
export function parseIpOrCidr(text: string): Parsed<{ ip: IpAddress; prefixLength?: number }> {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    return ip.ok ? { ok: true, value: { ip: ip.value } } : ip;
  }
  const cidr = parseCidr(text);
  if (!cidr.ok) return cidr;
  const ip = parseIp(text.slice(0, slash));
  if (!ip.ok) return ip;
  return { ok: true, value: { ip: ip.value, prefixLength: cidr.value.prefixLength } };
}

const networkValueOf = (s: Subnet): bigint => (parseIp(s.network) as { ok: true; value: IpAddress }).value.value;

export function lastAddressValue(s: Subnet): bigint {
  return networkValueOf(s) | ((1n << BigInt(BITS[s.family] - s.prefixLength)) - 1n);
}

export function subnetContains(s: Subnet, ip: IpAddress): boolean {
  return ip.family === s.family && (ip.value & maskOf(s.family, s.prefixLength)) === networkValueOf(s);
}

/**
 * The number of host bits below which the network (and, for IPv4, broadcast) address is reserved:
 * /31 and /32 (RFC 3021) and IPv6 /127 (RFC 6164) and /128 have no reserved addresses.
 */
export const hasReservedNetworkAddress = (s: Subnet): boolean => BITS[s.family] - s.prefixLength >= 2;

/**
 * The conventional gateway: the first usable host address. That is network+1 when the network address
 * is reserved, else the first address of the subnet (/31, /32, /127, /128).
 */
export function firstHostAddress(s: Subnet): string {
  const base = networkValueOf(s);
  return formatIp(s.family, hasReservedNetworkAddress(s) ? base + 1n : base);
}

/**
 * The subnet a CIDR written with host bits (`172.20.48.0/12`) was most likely meant to be: the written
 * address as the network address of the longest prefix it is one of (`172.20.48.0/20`), when that prefix
 * also holds the gateway. Installers that write `/(32 - prefix length)` (containerd's
 * install-cni-windows) produce exactly this inversion. Undefined when there is no such guess.
 */
export function intendedSubnet(written: IpAddress, gateway: IpAddress | undefined): Subnet | undefined {
  const bits = BITS[written.family];
  let hostBits = 0;
  while (hostBits < bits && ((written.value >> BigInt(hostBits)) & 1n) === 0n) hostBits++;
  if (hostBits === 0 || hostBits === bits) return undefined;
  const guess = parseCidr(`${written.address}/${bits - hostBits}`);
  if (!guess.ok) return undefined;
  if (
    gateway !== undefined &&
    (!subnetContains(guess.value, gateway) || gatewayProblem(guess.value, gateway) !== undefined)
  )
    return undefined;
  return guess.value;
}

/** Why `ip` cannot be the gateway of `s`, or undefined when it can. */
export function gatewayProblem(s: Subnet, ip: IpAddress): string | undefined {
  if (ip.family !== s.family) return `${ip.address} is IPv${ip.family} but subnet ${s.prefix} is IPv${s.family}`;
  if (!subnetContains(s, ip)) return `${ip.address} is outside subnet ${s.prefix}`;
  if (hasReservedNetworkAddress(s)) {
    if (ip.value === networkValueOf(s)) return `${ip.address} is the network address of ${s.prefix}`;
    if (s.family === 4 && ip.value === lastAddressValue(s))
      return `${ip.address} is the broadcast address of ${s.prefix}`;
  }
  return undefined;
}
