import { describe, expect, it } from 'vitest';
import { CniError } from '../../../spec/errors';
import { decodePrevResult, decodeResult, encodeResult } from '../../../spec/result';
import { ALL_VERSIONS, type CniVersion } from '../../../spec/versions';

const code6 = (fn: () => unknown, text?: string | RegExp) => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CniError);
  expect((caught as CniError).code).toBe(6);
  if (text !== undefined) expect((caught as CniError).msg).toMatch(text);
};

const CURRENT: CniVersion[] = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

/** Malformed bodies in the 0.3.0 … 1.1.0 shape, each with the words its error must contain. */
const MALFORMED_CURRENT: [string, unknown, RegExp][] = [
  ['an array', [], /expected a JSON object/],
  ['a string', 'ok', /expected a JSON object/],
  ['ips is an object', { ips: {} }, /ips: .*expected array/],
  ['ips is a string', { ips: '10.0.0.2/24' }, /ips: .*expected array/],
  ['an ips element is null', { ips: [null] }, /ips\[0\]/],
  [
    'address without prefix',
    { ips: [{ address: '10.0.0.2' }] },
    /ips\[0\]\.address: invalid CIDR address: 10\.0\.0\.2/,
  ],
  ['address missing', { ips: [{ gateway: '10.0.0.1' }] }, /ips\[0\]\.address/],
  ['address null', { ips: [{ address: null }] }, /ips\[0\]\.address/],
  ['address is a number', { ips: [{ address: 10 }] }, /ips\[0\]\.address/],
  ['prefix too long', { ips: [{ address: '10.0.0.2/33' }] }, /invalid CIDR address/],
  ['IPv6 zone', { ips: [{ address: 'fe80::1%eth0/64' }] }, /invalid CIDR address/],
  ['leading zero in IPv4', { ips: [{ address: '010.0.0.2/24' }] }, /invalid CIDR address/],
  [
    'bad gateway',
    { ips: [{ address: '10.0.0.2/24', gateway: 'nope' }] },
    /ips\[0\]\.gateway: invalid IP address: nope/,
  ],
  ['interface is a string', { ips: [{ address: '10.0.0.2/24', interface: '0' }] }, /ips\[0\]\.interface/],
  ['interface is fractional', { ips: [{ address: '10.0.0.2/24', interface: 0.5 }] }, /ips\[0\]\.interface/],
  ['interface beyond 2^53', { ips: [{ address: '10.0.0.2/24', interface: 2 ** 60 }] }, /ips\[0\]\.interface/],
  ['route dst without prefix', { routes: [{ dst: '0.0.0.0' }] }, /routes\[0\]\.dst: invalid CIDR address: 0\.0\.0\.0/],
  ['route dst missing', { routes: [{ gw: '10.0.0.1' }] }, /routes\[0\]\.dst/],
  ['route gw bad', { routes: [{ dst: '0.0.0.0/0', gw: '10.0.0' }] }, /routes\[0\]\.gw: invalid IP address/],
  ['interfaces is an object', { interfaces: { name: 'eth0' } }, /interfaces/],
  ['interface name is a number', { interfaces: [{ name: 1 }] }, /interfaces\[0\]\.name/],
  ['mac is a number', { interfaces: [{ name: 'eth0', mac: 1 }] }, /interfaces\[0\]\.mac/],
  ['dns is an array', { dns: [] }, /dns/],
  ['nameservers is a string', { dns: { nameservers: '10.0.0.1' } }, /dns\.nameservers/],
  ['a search entry is a number', { dns: { search: [1] } }, /dns\.search\[0\]/],
];

describe.each(CURRENT)('malformed %s results', (version) => {
  it.each(MALFORMED_CURRENT)('%s → code 6', (_name, body, text) => {
    const json =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? { cniVersion: version, ...body } : body;
    code6(() => decodeResult(json, version), text);
  });
});

describe('malformed 1.1.0-only fields', () => {
  it.each([
    ['interface mtu is a string', { interfaces: [{ name: 'eth0', mtu: '1500' }] }, /interfaces\[0\]\.mtu/],
    ['route table is fractional', { routes: [{ dst: '0.0.0.0/0', table: 1.5 }] }, /routes\[0\]\.table/],
    ['route scope is a bool', { routes: [{ dst: '0.0.0.0/0', scope: true }] }, /routes\[0\]\.scope/],
    ['socketPath is a number', { interfaces: [{ name: 'eth0', socketPath: 3 }] }, /socketPath/],
  ])('%s → code 6', (_n, body, text) => code6(() => decodeResult({ cniVersion: '1.1.0', ...body }, '1.1.0'), text));

  it('are not read from a 1.0.0 result (libcni 1.1.2 has no such fields)', () => {
    const r = decodeResult(
      {
        cniVersion: '1.0.0',
        interfaces: [{ name: 'eth0', mtu: 'junk' }],
        routes: [{ dst: '0.0.0.0/0', mtu: 1400, table: 'x' }],
      },
      '1.0.0',
    );
    expect(r).toStrictEqual({ cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }], routes: [{ dst: '0.0.0.0/0' }] });
  });
});

describe.each(['0.1.0', '0.2.0'] as const)('malformed %s results', (version) => {
  it.each([
    ['ip4 is a string', { ip4: '10.0.0.2/24' }, /ip4/],
    ['ip4 without ip', { ip4: { gateway: '10.0.0.1' } }, /ip4\.ip/],
    ['ip4 ip without prefix', { ip4: { ip: '10.0.0.2' } }, /ip4\.ip: invalid CIDR address/],
    ['ip4 holds an IPv6 address', { ip4: { ip: 'fd00::2/64' } }, /ip4\.ip: not an IPv4 address/],
    ['ip6 holds an IPv4 address', { ip6: { ip: '10.0.0.2/24' } }, /ip6\.ip: not an IPv6 address/],
    ['an IPv6 route under ip4', { ip4: { ip: '10.0.0.2/24', routes: [{ dst: '::/0' }] } }, /ip4\.routes\[0\]\.dst/],
    ['ip4 routes is an object', { ip4: { ip: '10.0.0.2/24', routes: {} } }, /ip4\.routes/],
    ['bad ip6 gateway', { ip6: { ip: 'fd00::2/64', gateway: 'fd00:::1' } }, /ip6\.gateway: invalid IP address/],
  ])('%s → code 6', (_n, body, text) => code6(() => decodeResult({ cniVersion: version, ...body }, version), text));
});

describe('0.3.x/0.4.0 ips[].version', () => {
  it('refuses a version that contradicts the address', () => {
    code6(
      () => decodeResult({ cniVersion: '0.4.0', ips: [{ version: '6', address: '10.0.0.2/24' }] }, '0.4.0'),
      /ips\[0\]\.version/,
    );
    code6(
      () => decodeResult({ cniVersion: '0.4.0', ips: [{ version: 'x', address: '10.0.0.2/24' }] }, '0.4.0'),
      /version/,
    );
  });

  it('accepts it missing or empty and takes the family from the address', () => {
    const r = decodeResult(
      { cniVersion: '0.4.0', ips: [{ address: '10.0.0.2/24' }, { version: '', address: 'fd00::2/64' }] },
      '0.4.0',
    );
    expect(encodeResult(r, '0.4.0').ips).toStrictEqual([
      { version: '4', address: '10.0.0.2/24' },
      { version: '6', address: 'fd00::2/64' },
    ]);
  });
});

describe('what libcni accepts and so do we', () => {
  it('reads keys case-insensitively and drops unknown ones', () => {
    const r = decodeResult(
      {
        CNIVersion: '1.0.0',
        IPs: [{ Address: '10.0.0.2/24', GateWay: '10.0.0.1', Interface: 0, extra: 1 }],
        Interfaces: [{ NAME: 'eth0' }],
        Foo: 1,
      },
      '1.0.0',
    );
    expect(r).toStrictEqual({
      cniVersion: '1.0.0',
      interfaces: [{ name: 'eth0' }],
      ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 0 }],
    });
  });

  it('keeps an out-of-range or negative interface index (libcni checks neither)', () => {
    const r = decodeResult(
      {
        ips: [
          { address: '10.0.0.2/24', interface: 7 },
          { address: '10.0.0.3/24', interface: -1 },
        ],
      },
      '1.0.0',
    );
    expect(r.ips?.map((ip) => ip.interface)).toStrictEqual([7, -1]);
  });

  it('reads null as absent, an empty gateway as none, and a null string in a list as ""', () => {
    const r = decodeResult(
      {
        cniVersion: '1.0.0',
        interfaces: null,
        ips: [{ address: '10.0.0.2/24', gateway: '', interface: null }],
        routes: null,
        dns: { nameservers: ['10.0.0.1', null], domain: null },
      },
      '1.0.0',
    );
    expect(r).toStrictEqual({
      cniVersion: '1.0.0',
      ips: [{ address: '10.0.0.2/24' }],
      dns: { nameservers: ['10.0.0.1', ''] },
    });
  });

  it('a missing interface name reads as "" and prints as "name":""', () => {
    const r = decodeResult({ interfaces: [{ mac: '00:11:22:33:44:55' }] }, '1.0.0');
    expect(JSON.stringify(encodeResult(r, '1.0.0'))).toBe(
      '{"cniVersion":"1.0.0","interfaces":[{"name":"","mac":"00:11:22:33:44:55"}],"dns":{}}',
    );
  });

  it('prints addresses the way Go does', () => {
    const r = decodeResult(
      {
        ips: [
          { address: 'FD00:0:0:0:0:0:0:0005/064', gateway: 'FD00::1' },
          { address: '::ffff:10.1.2.3/120', gateway: '::ffff:10.1.2.1' },
          { address: '10.0.0.5/24' },
        ],
      },
      '1.0.0',
    );
    expect(r.ips).toStrictEqual([
      { address: 'fd00::5/64', gateway: 'fd00::1' },
      { address: '10.1.2.3/24', gateway: '10.1.2.1' },
      { address: '10.0.0.5/24' },
    ]);
  });
});

describe('the result version (decodeResult: a plugin read by libcni)', () => {
  it.each([
    ['missing', {}, '1.0.0'],
    ['empty', { cniVersion: '' }, '1.0.0'],
    ['a number', { cniVersion: 1 }, '1.0.0'],
    ['another known version', { cniVersion: '0.4.0' }, '0.4.0'],
    ['1.1.0 under a 1.0.0 configuration', { cniVersion: '1.1.0' }, '1.1.0'],
    ['a legacy version', { cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24' } }, '0.2.0'],
  ])('%s → read as %s', (_n, body, expected) => {
    expect(decodeResult({ ...body }, '1.0.0').cniVersion).toBe(expected);
  });

  it('is read by its exact key only, as fixupResultVersion does', () => {
    expect(decodeResult({ CNIVersion: '0.4.0' }, '1.0.0').cniVersion).toBe('1.0.0');
  });

  it('reads null as an empty result of the configuration version', () => {
    expect(decodeResult(null, '0.4.0')).toStrictEqual({ cniVersion: '0.4.0' });
  });

  it.each(['9.9.9', '1.0', 'banana'])('refuses unknown version %s with code 6', (v) => {
    code6(() => decodeResult({ cniVersion: v }, '1.0.0'), `unsupported CNI result version "${v}"`);
  });

  it('reads the body in the result’s own shape, not the configuration’s', () => {
    const r = decodeResult({ cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24' }, ips: [{ address: 'junk' }] }, '1.0.0');
    expect(r).toStrictEqual({ cniVersion: '0.2.0', ips: [{ address: '10.0.0.2/24' }] });
  });
});

describe('the prevResult version (decodePrevResult: a Go plugin reading its stdin)', () => {
  it.each([
    ['1.0.0', { cniVersion: '1.0.0' }, '1.0.0'],
    ['1.0.0', {}, '1.0.0'],
    ['1.1.0', { cniVersion: '1.0.0' }, '1.0.0'],
    ['0.4.0', { cniVersion: '0.3.1' }, '0.3.1'],
    ['0.4.0', { cniVersion: '0.3.0' }, '0.3.0'],
    ['0.2.0', { cniVersion: '', ip4: { ip: '10.0.0.2/24' } }, '0.1.0'],
    ['0.2.0', { cniVersion: '0.1.0', ip4: { ip: '10.0.0.2/24' } }, '0.1.0'],
    ['1.0.0', { cniVersion: null }, '1.0.0'],
  ] as const)('config %s, prevResult %j → read as %s', (conf, body, expected) => {
    expect(decodePrevResult(body, conf)?.cniVersion).toBe(expected);
  });

  it.each([
    ['1.0.0', { cniVersion: '0.4.0' }, /supports \[1\.0\.0 1\.1\.0\] but unmarshalled CNIVersion is "0\.4\.0"/],
    ['0.4.0', { cniVersion: '1.0.0' }, /unmarshalled CNIVersion is "1\.0\.0"/],
    ['1.0.0', { cniVersion: '' }, /unmarshalled CNIVersion is ""/],
    ['0.2.0', { cniVersion: '0.4.0' }, /supports \[ 0\.1\.0 0\.2\.0\]/],
    ['1.0.0', { cniVersion: 1 }, /must be a string/],
    ['1.0.0', [], /expected a JSON object/],
  ] as const)('config %s, prevResult %j → code 6', (conf, body, text) => {
    code6(() => decodePrevResult(body, conf), text);
  });

  it('absent or null is no prevResult', () => {
    expect(decodePrevResult(undefined, '1.0.0')).toBeUndefined();
    expect(decodePrevResult(null, '1.0.0')).toBeUndefined();
  });

  it('a malformed body still gives code 6', () => {
    code6(() => decodePrevResult({ cniVersion: '1.0.0', ips: [{ address: 'x' }] }, '1.0.0'), /ips\[0\]\.address/);
  });
});

describe.each(ALL_VERSIONS)('encodeResult(…, %s) guards its input', (version) => {
  it('refuses an invalid model with code 999', () => {
    expect(() => encodeResult({ ips: [{ address: 'nope' }] }, version)).toThrow(expect.objectContaining({ code: 999 }));
  });

  it('sets cniVersion to the target version whatever the model says', () => {
    const out = encodeResult({ cniVersion: '0.1.0', ips: [{ address: '10.0.0.2/24' }] }, version);
    expect(out.cniVersion).toBe(version);
  });
});
