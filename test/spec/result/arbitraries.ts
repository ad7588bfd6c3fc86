/** fast-check generators for results in canonical model form (what `ResultSchema` outputs). */
import fc from 'fast-check';
import type { Result } from '../../../spec/result';

export const ipv4Bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
/** Groups biased towards zero so that `::` runs of every length appear. */
export const ipv6Groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});

const ipv4 = ipv4Bytes.map((b) => b.join('.'));
/** Canonical (RFC 5952) IPv6 text, built here independently of the code under test; never IPv4-mapped. */
const ipv6 = ipv6Groups.filter((g) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)).map((g) => rfc5952(g));

export function rfc5952(groups: number[]): string {
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > len) [best, len] = [i, j - i];
  }
  const hex = groups.map((g) => g.toString(16));
  if (len < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + len).join(':')}`;
}

export const cidr4 = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
export const cidr6 = fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);
const cidr = fc.oneof(cidr4, cidr6);
const ip = fc.oneof(ipv4, ipv6);
const text = fc.string({ minLength: 1, maxLength: 12 });
const nonZero = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: -5, max: -1 }));
const anyInt = fc.integer({ min: -3, max: 300 });

const list = <T>(a: fc.Arbitrary<T>, max: number) => fc.array(a, { minLength: 1, maxLength: max });

export const interfaceArb = fc.record(
  { name: fc.string({ maxLength: 12 }), mac: text, mtu: nonZero, sandbox: text, socketPath: text, pciID: text },
  { requiredKeys: ['name'] },
);
export const ipArb = fc.record({ address: cidr, gateway: ip, interface: anyInt }, { requiredKeys: ['address'] });
export const routeArb = fc.record(
  { dst: cidr, gw: ip, mtu: nonZero, advmss: nonZero, priority: nonZero, table: anyInt, scope: anyInt },
  { requiredKeys: ['dst'] },
);
export const dnsArb = fc
  .record({
    nameservers: list(fc.string(), 3),
    domain: text,
    search: list(fc.string(), 3),
    options: list(fc.string(), 3),
  })
  .chain((d) =>
    fc
      .subarray(Object.keys(d), { minLength: 1 })
      .map((keys) => Object.fromEntries(keys.map((k) => [k, d[k as keyof typeof d]]))),
  );

export const resultArb: fc.Arbitrary<Result> = fc
  .record(
    {
      interfaces: list(interfaceArb, 3),
      ips: list(ipArb, 5),
      routes: list(routeArb, 5),
      dns: dnsArb,
    },
    { requiredKeys: [] },
    // fc.record builds null-prototype objects; results arrive as plain JSON objects.
  )
  .map((r) => JSON.parse(JSON.stringify(r)) as Result);
