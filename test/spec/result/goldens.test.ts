import { describe, expect, it } from 'vitest';
import { convertResult, decodeResult, encodeResult } from '../../../spec/result';
import { ALL_VERSIONS } from '../../../spec/versions';
import { CANONICAL_100, CANONICAL_BY_VERSION, EXAMPLE_110, EXAMPLE_110_BY_VERSION } from './goldens';

const model100 = () => decodeResult(CANONICAL_100, '1.0.0');
const model110 = () => decodeResult(EXAMPLE_110, '1.1.0');

describe.each(ALL_VERSIONS)('canonical result for %s', (version) => {
  const golden = CANONICAL_BY_VERSION[version];

  it('is what the 1.0.0 result encodes to, keys in libcni order', () => {
    const out = encodeResult(model100(), version);
    expect(out).toStrictEqual(golden);
    expect(JSON.stringify(out)).toBe(JSON.stringify(golden));
  });

  it('converts from the 1.0.0 JSON directly', () => {
    expect(JSON.stringify(convertResult(CANONICAL_100, '1.0.0', version))).toBe(JSON.stringify(golden));
  });

  it('decodes back into the model, losing only what the version cannot carry', () => {
    const back = decodeResult(golden, version);
    expect(back.cniVersion).toBe(version);
    const full = model100();
    if (version === '0.1.0' || version === '0.2.0') {
      // The second IPv4 address, both interfaces and the interface index are gone.
      expect(back).toStrictEqual({
        cniVersion: version,
        ips: [
          { address: '172.20.0.5/16', gateway: '172.20.0.1' },
          { address: 'fd00:20::5/64', gateway: 'fd00:20::1' },
        ],
        routes: full.routes,
        dns: full.dns,
      });
    } else {
      expect(back).toStrictEqual({ ...full, cniVersion: version });
    }
  });

  it('re-encodes to itself (same-version conversion is the identity)', () => {
    expect(JSON.stringify(convertResult(golden, version, version))).toBe(JSON.stringify(golden));
  });

  it('up-converts to 1.0.0 as libcni does', () => {
    const up = convertResult(golden, version, '1.0.0');
    if (version === '0.1.0' || version === '0.2.0') {
      // ips without `interface`, routes concatenated IPv4 first, no `interfaces`.
      expect(JSON.stringify(up)).toBe(
        JSON.stringify({
          cniVersion: '1.0.0',
          ips: [
            { address: '172.20.0.5/16', gateway: '172.20.0.1' },
            { address: 'fd00:20::5/64', gateway: 'fd00:20::1' },
          ],
          routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }, { dst: '::/0' }],
          dns: CANONICAL_100.dns,
        }),
      );
    } else {
      expect(JSON.stringify(up)).toBe(JSON.stringify(CANONICAL_100));
    }
  });
});

describe.each(ALL_VERSIONS)('1.1.0 fields in %s', (version) => {
  it('are kept for 1.1.0 and dropped below', () => {
    const out = encodeResult(model110(), version);
    expect(JSON.stringify(out)).toBe(JSON.stringify(EXAMPLE_110_BY_VERSION[version]));
  });
});

describe('results without addresses', () => {
  const noIps = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }], dns: {} };

  it.each(['0.1.0', '0.2.0'] as const)('cannot be expressed in %s', (version) => {
    expect(() => encodeResult(decodeResult(noIps, '1.0.0'), version)).toThrow(
      expect.objectContaining({ code: 1, msg: 'cannot convert: no valid IP addresses' }),
    );
  });

  it('print `dns:{}` up to 1.0.0 but leave it out in 1.1.0', () => {
    const m = decodeResult(noIps, '1.0.0');
    expect(JSON.stringify(encodeResult(m, '1.0.0'))).toBe(
      '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"dns":{}}',
    );
    expect(JSON.stringify(encodeResult(m, '0.4.0'))).toBe(
      '{"cniVersion":"0.4.0","interfaces":[{"name":"eth0"}],"dns":{}}',
    );
    expect(JSON.stringify(encodeResult(m, '1.1.0'))).toBe('{"cniVersion":"1.1.0","interfaces":[{"name":"eth0"}]}');
  });

  it('the IPAM form host-local prints is read and printed back unchanged', () => {
    const hostLocal = {
      cniVersion: '1.0.0',
      ips: [{ address: '10.9.0.2/24', gateway: '10.9.0.1' }],
      routes: [{ dst: '0.0.0.0/0' }],
      dns: {},
    };
    expect(JSON.stringify(convertResult(hostLocal, '1.0.0', '1.0.0'))).toBe(JSON.stringify(hostLocal));
  });
});

describe('0.2.0 down-conversion details', () => {
  it('keeps the first address of each family and drops routes whose family has no address', () => {
    const m = decodeResult(
      {
        cniVersion: '1.0.0',
        ips: [{ address: '10.0.0.2/24' }, { address: '10.0.1.2/24', gateway: '10.0.1.1' }],
        routes: [{ dst: '::/0', gw: 'fd00::1' }, { dst: '10.1.0.0/16' }, { dst: '0.0.0.0/0', gw: '10.0.0.1' }],
      },
      '1.0.0',
    );
    expect(JSON.stringify(encodeResult(m, '0.2.0'))).toBe(
      '{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24","routes":[{"dst":"10.1.0.0/16"},{"dst":"0.0.0.0/0","gw":"10.0.0.1"}]},"dns":{}}',
    );
  });

  it('an IPv6-only result has only ip6', () => {
    const m = decodeResult({ cniVersion: '1.0.0', ips: [{ address: 'fd00::2/64', gateway: 'fd00::1' }] }, '1.0.0');
    expect(JSON.stringify(encodeResult(m, '0.2.0'))).toBe(
      '{"cniVersion":"0.2.0","ip6":{"ip":"fd00::2/64","gateway":"fd00::1"},"dns":{}}',
    );
  });
});
