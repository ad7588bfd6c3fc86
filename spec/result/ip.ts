/**
 * IP and CIDR text exactly as Go's `net` package (Go 1.19, what libcni 1.1.2 is built with) reads
 * and prints it. libcni keeps result addresses as `net.IPNet`/`net.IP`, so what a runtime sees is
 * always Go's canonical text: `FD00::0005/64` becomes `fd00::5/64`, host bits are kept
 * (`10.0.0.5/24` stays), and an IPv4-mapped IPv6 address prints as IPv4.
 *
 * The grammar is Go's, not a general one: `ip-address` accepts zones (`fe80::1%eth0`) that Go
 * rejects and rejects long hex groups (`0:0:0:0:0:0:0:00001`) that Go accepts, so it serves as an
 * independent check in the tests rather than as the parser here.
 */

/** Go's `dtoi`/`xtoi` give up at this value. */
const BIG = 0xffffff;

/** A decimal number at the start of `s`: [value, characters used], or null if there is none. */
function leadingDecimal(s: string): [number, number] | null {
  let n = 0;
  let i = 0;
  for (; i < s.length && s[i]! >= '0' && s[i]! <= '9'; i++) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= BIG) return null;
  }
  return i === 0 ? null : [n, i];
}

function leadingHex(s: string): [number, number] | null {
  let n = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 16);
    if (Number.isNaN(d)) break;
    n = n * 16 + d;
    if (n >= BIG) return null;
  }
  return i === 0 ? null : [n, i];
}

/** Dotted quad, no leading zeros in a component (Go ≥ 1.17). */
function parseIPv4Bytes(s: string): number[] | null {
  const out: number[] = [];
  let rest = s;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (rest[0] !== '.') return null;
      rest = rest.slice(1);
    }
    const num = leadingDecimal(rest);
    if (num === null || num[0] > 0xff) return null;
    if (num[1] > 1 && rest[0] === '0') return null;
    out.push(num[0]);
    rest = rest.slice(num[1]);
  }
  return rest.length === 0 ? out : null;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

const v4Mapped = (v4: number[]): number[] => [...V4_MAPPED_PREFIX, ...v4];

/** RFC 4291 text with at most one `::` and an optional trailing dotted quad; no zone. */
function parseIPv6Bytes(s: string): number[] | null {
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  let rest = s;
  if (rest.startsWith('::')) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const hex = leadingHex(rest);
    if (hex === null || hex[0] > 0xffff) return null;
    const [n, used] = hex;
    if (used < rest.length && rest[used] === '.') {
      // A dotted quad may only fill the last 32 bits, or any place when `::` pads the rest.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const v4 = parseIPv4Bytes(rest);
      if (v4 === null) return null;
      ip.splice(i, 4, ...v4);
      rest = '';
      i += 4;
      break;
    }
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    rest = rest.slice(used);
    if (rest.length === 0) break;
    if (rest[0] !== ':' || rest.length === 1) return null;
    rest = rest.slice(1);
    if (rest[0] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const tail = ip.slice(ellipsis, i);
    const out = [...ip.slice(0, ellipsis), ...new Array<number>(16 - i).fill(0), ...tail];
    return out;
  }
  // `::` must stand for at least one group.
  return ellipsis >= 0 ? null : ip;
}

/** A parsed address: always 16 bytes, IPv4 held IPv4-mapped as Go does. */
export type IpBytes = readonly number[];

/** Go's `net.ParseIP`: the first `.` or `:` decides the family. */
export function parseIP(s: string): IpBytes | null {
  for (const c of s) {
    if (c === '.') {
      const v4 = parseIPv4Bytes(s);
      return v4 && v4Mapped(v4);
    }
    if (c === ':') return parseIPv6Bytes(s);
  }
  return null;
}

/** Go's `To4() != nil`: the address prints, and counts, as IPv4. */
export const isIPv4 = (ip: IpBytes): boolean => V4_MAPPED_PREFIX.every((b, i) => ip[i] === b);

/** Go's `net.IP.String()` for a 16-byte address (RFC 5952 for IPv6, dotted for IPv4). */
export function formatIP(ip: IpBytes): string {
  if (isIPv4(ip)) return ip.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // Longest run of zero groups, the first one on a tie; a single zero group is not shortened.
  let best = -1;
  let bestLen = 0;
  for (let g = 0; g < 8;) {
    let end = g;
    while (end < 8 && groups[end] === 0) end++;
    if (end > g && end - g > bestLen) {
      best = g;
      bestLen = end - g;
      g = end;
    } else g++;
  }
  if (bestLen < 2) return groups.map((x) => x.toString(16)).join(':');
  const head = groups
    .slice(0, best)
    .map((x) => x.toString(16))
    .join(':');
  const tail = groups
    .slice(best + bestLen)
    .map((x) => x.toString(16))
    .join(':');
  return `${head}::${tail}`;
}

export type ParsedCidr = { ip: IpBytes; prefix: number; family: 4 | 6 };

/**
 * Go's `net.ParseCIDR` as libcni's `types.ParseCIDR` uses it (host bits kept), with the prefix as
 * Go's `IPNet.String()` will print it: an IPv4-mapped IPv6 literal becomes IPv4 and keeps only the
 * low 32 bits of its mask (`::ffff:10.0.0.1/120` → `10.0.0.1/24`, `/64` → `/0`).
 */
export function parseCIDR(s: string): ParsedCidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const v4 = parseIPv4Bytes(addr);
  const ip = v4 ? v4Mapped(v4) : parseIPv6Bytes(addr);
  const bits = v4 ? 32 : 128;
  const num = leadingDecimal(mask);
  if (ip === null || num === null || num[1] !== mask.length || num[0] > bits) return null;
  if (v4) return { ip, prefix: num[0], family: 4 };
  if (isIPv4(ip)) return { ip, prefix: Math.max(0, num[0] - 96), family: 4 };
  return { ip, prefix: num[0], family: 6 };
}

export const formatCIDR = (c: ParsedCidr): string => `${formatIP(c.ip)}/${c.prefix}`;

/** The text libcni prints for an IP it read, or null where Go refuses it. */
export function canonicalIP(s: string): string | null {
  const ip = parseIP(s);
  return ip && formatIP(ip);
}

/** The text libcni prints for a CIDR it read, or null where Go refuses it. */
export function canonicalCIDR(s: string): string | null {
  const c = parseCIDR(s);
  return c && formatCIDR(c);
}

/** 4 or 6 as libcni decides it (`IP.To4() != nil`); null if `s` is not a CIDR. */
export function cidrFamily(s: string): 4 | 6 | null {
  return parseCIDR(s)?.family ?? null;
}
