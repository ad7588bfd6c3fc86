/**
 * The NAT subnet install writes. In order: `--subnet`/`--gateway` (validated with the plugin's own
 * subnet rules); else the existing HNS network of that name (its own subnet and gateway: the plugin
 * uses those anyway, nerdctl#28); else the first /20 of the private ranges that overlaps no host
 * adapter, no route and no existing HNS network.
 */
import type { HostComputeNetwork } from '../../hns/schema';
import { subnetsOfNetwork } from '../hnsrequests';
import {
  firstHostAddress,
  formatIp,
  gatewayProblem,
  lastAddressValue,
  parseCidr,
  parseIp,
  type Subnet,
} from '../subnet';
import type { HostNetworks } from './hostnet';

export interface SubnetChoice {
  subnet: string;
  gateway: string;
  /** Why this one, in words. */
  why: string;
}

export class SubnetError extends Error {
  override readonly name = 'SubnetError';
}

const valueOf = (s: Subnet): bigint => (parseIp(s.network) as { ok: true; value: { value: bigint } }).value.value;
export const overlaps = (a: Subnet, b: Subnet): boolean =>
  a.family === b.family && valueOf(a) <= lastAddressValue(b) && valueOf(b) <= lastAddressValue(a);

/** Private IPv4 blocks to try, /20 each (the size HNS gives its default nat network). */
function* candidates(): Generator<Subnet> {
  for (const [base, bits] of [
    ['172.16.0.0', 12],
    ['10.0.0.0', 8],
    ['192.168.0.0', 16],
  ] as const) {
    const start = valueOf((parseCidr(`${base}/${bits}`) as { ok: true; value: Subnet }).value);
    const count = 1n << BigInt(20 - bits);
    for (let i = 0n; i < count; i++) {
      yield (parseCidr(`${formatIp(4, start + (i << 12n))}/20`) as { ok: true; value: Subnet }).value;
    }
  }
}

export function chooseSubnet(opts: {
  name: string;
  subnet?: string | undefined;
  gateway?: string | undefined;
  existing: HostComputeNetwork | undefined;
  hnsNetworks: readonly HostComputeNetwork[];
  host: HostNetworks;
}): SubnetChoice {
  const have = opts.existing ? subnetsOfNetwork(opts.existing).find((s) => s.family === 4) : undefined;
  if (opts.subnet !== undefined) {
    const parsed = parseCidr(opts.subnet);
    if (!parsed.ok) throw new SubnetError(`--subnet: ${parsed.reason}`);
    const s = parsed.value;
    if (s.hadHostBits) throw new SubnetError(`--subnet: ${opts.subnet} has host bits set; the network is ${s.prefix}`);
    let gateway = firstHostAddress(s);
    if (opts.gateway !== undefined) {
      const gw = parseIp(opts.gateway);
      if (!gw.ok) throw new SubnetError(`--gateway: ${gw.reason}`);
      const problem = gatewayProblem(s, gw.value);
      if (problem) throw new SubnetError(`--gateway: ${problem}`);
      gateway = gw.value.address;
    }
    if (have && (have.prefix !== s.prefix || (have.gateway !== undefined && have.gateway !== gateway))) {
      throw new SubnetError(
        `the HNS network "${opts.name}" exists with subnet ${have.prefix} and gateway ${have.gateway ?? '(none)'}; the plugin uses the ` +
          `network's own values, so the config must say the same: leave out --subnet/--gateway, or delete that network first`,
      );
    }
    return { subnet: s.prefix, gateway, why: '--subnet' };
  }
  if (opts.gateway !== undefined) throw new SubnetError('--gateway needs --subnet');
  if (opts.existing) {
    if (!have) throw new SubnetError(`the HNS network "${opts.name}" exists but has no IPv4 subnet; give --subnet`);
    return {
      subnet: have.prefix,
      gateway: have.gateway ?? firstHostAddress(have),
      why: `the existing HNS network "${opts.name}"`,
    };
  }
  const taken: Subnet[] = [
    ...opts.host.adapters.map((a) => a.subnet),
    ...opts.host.routes.filter((r) => r.prefixLength > 0),
    ...opts.hnsNetworks.flatMap((n) => subnetsOfNetwork(n)),
  ];
  for (const c of candidates()) {
    if (!taken.some((t) => overlaps(t, c))) {
      return {
        subnet: c.prefix,
        gateway: firstHostAddress(c),
        why: 'a private range that no adapter, route or HNS network uses',
      };
    }
  }
  throw new SubnetError('every private /20 overlaps an adapter, a route or an HNS network; give --subnet');
}
