/** Subnets of a network: validation, gateways, reserved addresses and allocation. */
import { randomInt } from 'node:crypto';
import { type Ipam, type Route, type Subnet, SubnetFlags } from '../../schema';
import {
  type Cidr,
  type Ip,
  cidrContains,
  cidrLast,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIp,
  isDefaultRoute,
  parseCidr,
  parseIp,
} from '../ip';
import { type SimSettings, hasFeature } from '../settings';
import { fail } from './failure';

export type SubnetInfo = { subnet: Subnet; cidr: Cidr; gateway: Ip | undefined };

/** The gateway is the default route's next hop, else the first route's; HNS holds it on the host vNIC. */
export function gatewayOf(subnet: Subnet): Ip | undefined {
  const routes = subnet.Routes ?? [];
  const r = routes.find((x) => isDefaultRoute(x.DestinationPrefix)) ?? routes[0];
  return r?.NextHop ? parseIp(r.NextHop) : undefined;
}

export function subnetsOf(ipams: readonly Ipam[]): SubnetInfo[] {
  const out: SubnetInfo[] = [];
  for (const ipam of ipams) {
    for (const subnet of ipam.Subnets) {
      const cidr = subnet.IpAddressPrefix ? parseCidr(subnet.IpAddressPrefix) : undefined;
      if (cidr) out.push({ subnet, cidr, gateway: gatewayOf(subnet) });
    }
  }
  return out;
}

/** Checks HNS makes on network subnets [I for the exact HRESULT of each, from the error names]. */
export function validateSubnets(s: SimSettings, ipams: readonly Ipam[]): void {
  const seen: Cidr[] = [];
  for (const ipam of ipams) {
    for (const subnet of ipam.Subnets) {
      const prefix = subnet.IpAddressPrefix;
      if (!prefix) fail('HCN_E_INVALID_SUBNET', 'subnet without IpAddressPrefix');
      const cidr = parseCidr(prefix) ?? fail('HCN_E_INVALID_PREFIX', `IpAddressPrefix ${JSON.stringify(prefix)}`);
      // HcnCreateNetwork with 172.22.16.0/16 answered HCN_E_INVALID_NETWORK [O microsoft/containers-toolkit#24];
      // that the set host bits are the cause is inferred [I] (the same request with .0.0/16 is the usual form).
      if (cidr.hostBitsSet && s.subnetHostBits === 'reject')
        fail('HCN_E_INVALID_NETWORK', `IpAddressPrefix ${prefix} has host bits set`);
      if (cidr.family === 6 && !hasFeature(s, 'IPv6DualStack')) {
        fail('HCN_E_INVALID_PREFIX', `IPv6 subnet ${prefix} needs HNS 11.10 or later (this is ${s.hnsVersion})`);
      }
      // Room for at least the gateway and one endpoint [I].
      if (cidrSize(cidr) < 4n) fail('HCN_E_INVALID_PREFIX', `IpAddressPrefix ${prefix} is too small`);
      for (const other of seen)
        if (cidrsOverlap(other, cidr))
          fail('HCN_E_INVALID_SUBNET', `subnets ${formatCidr(other)} and ${prefix} overlap`);
      seen.push(cidr);
      for (const r of subnet.Routes ?? []) validateRoute(r, 'HCN_E_INVALID_SUBNET');
      const gw = gatewayOf(subnet);
      if (
        gw &&
        (!cidrContains(cidr, gw) || gw.value === cidr.base || (cidr.family === 4 && gw.value === cidrLast(cidr)))
      ) {
        fail('HCN_E_INVALID_SUBNET', `gateway ${formatIp(gw)} is not a host address of ${prefix}`);
      }
    }
  }
}

export function validateRoute(r: Route, hr: 'HCN_E_INVALID_SUBNET' | 'HCN_E_INVALID_ENDPOINT'): void {
  if (r.DestinationPrefix !== undefined && !parseCidr(r.DestinationPrefix))
    fail(hr, `route DestinationPrefix ${JSON.stringify(r.DestinationPrefix)}`);
  if (r.NextHop !== undefined && r.NextHop !== '' && !parseIp(r.NextHop))
    fail(hr, `route NextHop ${JSON.stringify(r.NextHop)}`);
}

/** Addresses no endpoint may take: network, broadcast (IPv4), and the gateway unless the subnet says otherwise. */
export function isReserved(info: SubnetInfo, ip: Ip): boolean {
  if (ip.value === info.cidr.base) return true;
  if (info.cidr.family === 4 && ip.value === cidrLast(info.cidr)) return true;
  const keepGateway = (info.subnet.Flags & SubnetFlags.DoNotReserveGatewayAddress) === 0;
  const gw = info.gateway ?? firstHost(info.cidr);
  return keepGateway && ip.value === gw.value;
}

const firstHost = (c: Cidr): Ip => ({ family: c.family, value: c.base + 1n });

/** The lowest (or a random) free host address of the subnet, or undefined when it is full. */
export function allocateAddress(s: SimSettings, info: SubnetInfo, used: ReadonlySet<string>): Ip | undefined {
  const free = (v: bigint) => {
    const ip = { family: info.cidr.family, value: v };
    return !isReserved(info, ip) && !used.has(formatIp(ip)) ? ip : undefined;
  };
  const last = cidrLast(info.cidr);
  if (s.ipAllocation === 'random') {
    const span = last - info.cidr.base;
    for (let i = 0; i < 64 && span > 1n; i++) {
      const offset = BigInt(randomInt(1, Number(span > 0xffffffffn ? 0xffffffffn : span)));
      const ip = free(info.cidr.base + offset);
      if (ip) return ip;
    }
  }
  // Scan upwards; an IPv6 /64 is never scanned far because `used` is small.
  for (let v = info.cidr.base + 1n, n = 0; v <= last && n < 1_000_000; v++, n++) {
    const ip = free(v);
    if (ip) return ip;
  }
  return undefined;
}

/** A free /20 in 172.16.0.0/12 for a network created without subnets (when settings say so). */
export function chooseSubnet(taken: readonly Cidr[]): Subnet {
  const block = parseCidr('172.16.0.0/12');
  if (!block) throw new Error('unreachable');
  for (let base = block.base; base + 4096n - 1n <= cidrLast(block); base += 4096n) {
    const c: Cidr = { family: 4, base, bits: 20, hostBitsSet: false };
    if (taken.some((t) => cidrsOverlap(t, c))) continue;
    return {
      IpAddressPrefix: formatCidr(c),
      Routes: [{ NextHop: formatIp(firstHost(c)), DestinationPrefix: '0.0.0.0/0' }],
      Flags: 0,
    };
  }
  return fail('E_FAIL', 'no free /20 left in 172.16.0.0/12');
}
