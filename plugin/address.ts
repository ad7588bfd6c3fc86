/**
 * Static addressing for the endpoint: the `ips` and `mac` capabilities (runtimeConfig), CNI_ARGS `IP=`
 * and `MAC=` (nerdctl passes the MAC this way), and `ipam.ipAddress` (parsed by the Go plugin but unused
 * on its nat path). The Go plugin supports none of them.
 */
import { invalidConfig, type FieldPath } from './configerror';
import { parseIpOrCidr, type IpFamily } from './subnet';

export interface StaticIp {
  family: IpFamily;
  address: string;
  /** Present when the value was written as a CIDR. */
  prefixLength?: number;
}

/**
 * Parse a list of static IPs. An HNS NAT endpoint has at most one IP configuration per family, so two
 * addresses of one family are refused rather than silently dropping one.
 */
export function parseStaticIps(values: readonly unknown[], path: FieldPath): StaticIp[] {
  const out: StaticIp[] = [];
  values.forEach((v, i) => {
    if (typeof v !== 'string')
      throw invalidConfig([...path, i], `expected an IP address string, got ${JSON.stringify(v)}`);
    const parsed = parseIpOrCidr(v);
    if (!parsed.ok) throw invalidConfig([...path, i], parsed.reason);
    const { ip, prefixLength } = parsed.value;
    if (out.some((o) => o.family === ip.family)) {
      throw invalidConfig([...path, i], `a second IPv${ip.family} address; an endpoint takes one address per family`);
    }
    out.push({ family: ip.family, address: ip.address, ...(prefixLength === undefined ? {} : { prefixLength }) });
  });
  return out;
}

/**
 * Parse a MAC address written with `:` or `-` separators (or none), in any case, into the form HNS
 * uses (`00-15-5D-52-C0-0A`). Multicast and all-zero addresses cannot be an endpoint's address.
 */
export function parseMac(value: unknown, path: FieldPath): string {
  if (typeof value !== 'string')
    throw invalidConfig(path, `expected a MAC address string, got ${JSON.stringify(value)}`);
  const m = /^([0-9a-f]{2})([:-]?)([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(
    value,
  );
  if (!m) throw invalidConfig(path, `"${value}" is not a MAC address (six hex octets, e.g. 02:42:ac:11:00:02)`);
  const octets = [m[1], m[3], m[4], m[5], m[6], m[7]].map((o) => (o as string).toUpperCase());
  if ((parseInt(octets[0] as string, 16) & 1) === 1) throw invalidConfig(path, `"${value}" is a multicast address`);
  if (octets.every((o) => o === '00')) throw invalidConfig(path, `"${value}" is the all-zero address`);
  return octets.join('-');
}
