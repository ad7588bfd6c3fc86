/**
 * The model out as the JSON object libcni prints for a given spec version: the same keys, in the
 * same order, with the same empty values left out. Up to 1.0.0 that is libcni 1.1.2 (struct field
 * order, `omitempty` tags, `"dns":{}` always present because a struct is never "empty" to Go);
 * 1.1.0 is libcni ≥ 1.2, whose `Result.MarshalJSON` round-trips through a Go map, so every key at
 * every depth comes out sorted and an empty `dns` is left out.
 *
 * What each version cannot carry is dropped, as libcni's converters drop it:
 * - ≤ 1.0.0: interface `mtu`/`socketPath`/`pciID`, route `mtu`/`advmss`/`priority`/`table`/`scope`
 *   (libcni 1.1.2 has no such fields; libcni ≥ 1.2 would keep them in a 1.0.0 result);
 * - 0.1.0/0.2.0: `interfaces`, `ips[].interface`, every address after the first of each family,
 *   and routes whose destination family has no address; routes are regrouped per family.
 */
import { CniCode, CniError } from '../errors';
import type { CniVersion } from '../versions';
import { cidrFamily } from './ip';
import { type Result, type ResultDns, type ResultRoute, ResultSchema } from './model';
import { shapeOf } from './shapes';

type Json = Record<string, unknown>;

/** Builds an object in the given key order, leaving out `undefined`. */
function ordered(entries: [string, unknown][]): Json {
  const out: Json = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}

/** Go's `json.Marshal` of a map: keys sorted bytewise, at every depth. */
function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = sortedDeep((v as Json)[k]);
  return out;
}

const dnsObject = (d: ResultDns | undefined): Json =>
  ordered([
    ['nameservers', d?.nameservers],
    ['domain', d?.domain],
    ['search', d?.search],
    ['options', d?.options],
  ]);

const basicRoute = (r: ResultRoute): Json =>
  ordered([
    ['dst', r.dst],
    ['gw', r.gw],
  ]);

function encodeLegacy(r: Result, version: CniVersion): Json {
  const first = {
    4: r.ips?.find((ip) => cidrFamily(ip.address) === 4),
    6: r.ips?.find((ip) => cidrFamily(ip.address) === 6),
  };
  if (first[4] === undefined && first[6] === undefined) {
    // libcni's text. Go's skel would report it as code 999; the spec's code for "cannot be
    // expressed in the requested version" is 1, which is what a runtime can act on.
    throw new CniError(
      CniCode.IncompatibleCniVersion,
      'cannot convert: no valid IP addresses',
      `a CNI ${version} result needs at least one IP address`,
    );
  }
  const block = (family: 4 | 6) => {
    const ip = first[family];
    if (ip === undefined) return undefined;
    const routes = (r.routes ?? []).filter((rt) => cidrFamily(rt.dst) === family).map(basicRoute);
    return ordered([
      ['ip', ip.address],
      ['gateway', ip.gateway],
      ['routes', routes.length ? routes : undefined],
    ]);
  };
  return ordered([
    ['cniVersion', version],
    ['ip4', block(4)],
    ['ip6', block(6)],
    ['dns', dnsObject(r.dns)],
  ]);
}

function encode04or10(r: Result, version: CniVersion, withIpVersion: boolean): Json {
  return ordered([
    ['cniVersion', version],
    [
      'interfaces',
      r.interfaces?.map((i) =>
        ordered([
          ['name', i.name],
          ['mac', i.mac],
          ['sandbox', i.sandbox],
        ]),
      ),
    ],
    [
      'ips',
      r.ips?.map((ip) =>
        ordered([
          ['version', withIpVersion ? String(cidrFamily(ip.address)) : undefined],
          ['interface', ip.interface],
          ['address', ip.address],
          ['gateway', ip.gateway],
        ]),
      ),
    ],
    ['routes', r.routes?.map(basicRoute)],
    ['dns', dnsObject(r.dns)],
  ]);
}

/** The model is already canonical and compact, so it only needs the version and sorted keys. */
const encode11 = (r: Result, version: CniVersion): Json => sortedDeep({ ...r, cniVersion: version }) as Json;

/**
 * `result` as libcni prints it for `version`. Throws CniError 999 when `result` is not a valid
 * model (a bug in the caller), and code 1 when a 0.1.0/0.2.0 result would have no address.
 */
export function encodeResult(result: Result, version: CniVersion): Record<string, unknown> {
  const parsed = ResultSchema.safeParse(result);
  if (!parsed.success) {
    throw new CniError(
      CniCode.Internal,
      `invalid result: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const r = parsed.data;
  switch (shapeOf(version)) {
    case '0.2':
      return encodeLegacy(r, version);
    case '0.4':
      return encode04or10(r, version, true);
    case '1.0':
      return encode04or10(r, version, false);
    case '1.1':
      return encode11(r, version);
  }
}
