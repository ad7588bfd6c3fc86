/**
 * Property tests: encode then decode keeps everything a version can carry, and loses exactly what
 * it cannot. `survivors` below is the specification of that loss, written independently of the
 * encoder (SPEC.md of each version; libcni 1.1.2 converters for the details).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrFamily,
  decodePrevResult,
  decodeResult,
  encodeResult,
  type Result,
  ResultSchema,
} from '../../../spec/result';
import { ALL_VERSIONS, type CniVersion } from '../../../spec/versions';
import { resultArb } from './arbitraries';

const RUNS = 300;

const nonEmpty = <T>(a: T[] | undefined): T[] | undefined => (a && a.length > 0 ? a : undefined);
const strip = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** What of `r` survives a trip through `version`, in model form. */
function survivors(r: Result, version: CniVersion): Result {
  if (version === '1.1.0') return strip({ ...r, cniVersion: version });
  const basicRoutes = r.routes?.map(({ dst, gw }) => strip({ dst, gw }));
  if (version !== '0.1.0' && version !== '0.2.0') {
    return strip({
      cniVersion: version,
      interfaces: r.interfaces?.map(({ name, mac, sandbox }) => strip({ name, mac, sandbox })),
      ips: r.ips,
      routes: basicRoutes,
      dns: r.dns,
    });
  }
  const first4 = r.ips?.find((ip) => cidrFamily(ip.address) === 4);
  const first6 = r.ips?.find((ip) => cidrFamily(ip.address) === 6);
  const keep = [first4, first6].filter((x) => x !== undefined);
  const routesOf = (fam: 4 | 6, present: boolean) =>
    present ? (basicRoutes ?? []).filter((rt) => cidrFamily(rt.dst) === fam) : [];
  return strip({
    cniVersion: version,
    ips: nonEmpty(keep.map(({ address, gateway }) => strip({ address, gateway }))),
    routes: nonEmpty([...routesOf(4, first4 !== undefined), ...routesOf(6, first6 !== undefined)]),
    dns: r.dns,
  });
}

const hasAddress = (r: Result) => (r.ips?.length ?? 0) > 0;

describe('the generated results are canonical models', () => {
  it('ResultSchema leaves them as they are', () => {
    fc.assert(
      fc.property(resultArb, (r) => {
        expect(ResultSchema.parse(r)).toStrictEqual(r);
      }),
      { numRuns: RUNS },
    );
  });
});

describe.each(ALL_VERSIONS)('round trip through %s', (version) => {
  const legacy = version === '0.1.0' || version === '0.2.0';

  it('decode(encode(r)) is exactly what the version can carry', () => {
    fc.assert(
      fc.property(resultArb, (r) => {
        fc.pre(!legacy || hasAddress(r));
        const wire = JSON.parse(JSON.stringify(encodeResult(r, version)));
        expect(decodeResult(wire, version)).toStrictEqual(survivors(r, version));
        // A Go plugin handed the same JSON as prevResult reads the same.
        expect(decodePrevResult(wire, version)).toStrictEqual(survivors(r, version));
      }),
      { numRuns: RUNS },
    );
  });

  it('encoding is stable: a second trip loses nothing more', () => {
    fc.assert(
      fc.property(resultArb, (r) => {
        fc.pre(!legacy || hasAddress(r));
        const once = encodeResult(r, version);
        expect(encodeResult(decodeResult(once, version), version)).toStrictEqual(once);
      }),
      { numRuns: RUNS },
    );
  });

  if (legacy) {
    it('a result without addresses cannot be encoded (code 1)', () => {
      fc.assert(
        fc.property(resultArb, (r) => {
          const { ips: _ips, ...noIps } = r;
          expect(() => encodeResult(noIps, version)).toThrow(expect.objectContaining({ code: 1 }));
        }),
        { numRuns: 50 },
      );
    });
  }

  it('every version up to 1.0.0 prints dns, 1.1.0 only when non-empty; keys follow libcni', () => {
    fc.assert(
      fc.property(resultArb, (r) => {
        fc.pre(!legacy || hasAddress(r));
        const out = encodeResult(r, version);
        const keys = Object.keys(out);
        if (version === '1.1.0') {
          expect(keys).toStrictEqual([...keys].sort());
          expect('dns' in out).toBe(r.dns !== undefined);
        } else {
          expect(keys[0]).toBe('cniVersion');
          expect(keys.at(-1)).toBe('dns');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('conversion between any two versions equals libcni’s chain through 1.0.0', () => {
  it('from → to is the same as from → 1.1.0 → to (the model holds everything)', () => {
    const versions = fc.constantFrom(...ALL_VERSIONS);
    fc.assert(
      fc.property(resultArb, versions, versions, (r, from, to) => {
        fc.pre(hasAddress(r));
        const wire = encodeResult(r, from);
        const direct = encodeResult(decodeResult(wire, from), to);
        const viaNewest = encodeResult(decodeResult(encodeResult(decodeResult(wire, from), '1.1.0'), '1.1.0'), to);
        expect(direct).toStrictEqual(viaNewest);
      }),
      { numRuns: RUNS },
    );
  });
});
