/**
 * Go's IP grammar and printing (Go 1.19 `net`), checked two ways: a table of cases whose Go answer
 * is known from the Go source (and confirmed by the oracle test when `go` is present), and a
 * property cross-check against the `ip-address` package on the forms both grammars share.
 */
import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { canonicalCIDR, canonicalIP, cidrFamily } from '../../../spec/result';
import { ipv4Bytes, ipv6Groups } from './arbitraries';

describe('canonicalIP (net.ParseIP then IP.String)', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['FD00::1', 'fd00::1'],
    ['fd00:0:0:0:0:0:0:1', 'fd00::1'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:a01:203', '10.1.2.3'],
    ['::10.1.2.3', '::a01:203'],
    ['64:ff9b::10.1.2.3', '64:ff9b::a01:203'],
    ['0:0:0:0:0:0:10.1.2.3', '::a01:203'],
    ['0000000001::', '1::'],
  ])('%s → %s', (input, out) => expect(canonicalIP(input)).toBe(out));

  it.each([
    '',
    '10.0.0',
    '10.0.0.1.2',
    '010.0.0.1',
    '10.0.0.256',
    ' 10.0.0.1',
    '10.0.0.1 ',
    'fe80::1%eth0',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    ':1::',
    '1:',
    '10000::',
    '1:2:3:4:5:6:10.1.2.3:1',
    '1:2:3:4:5:10.1.2.3',
    '::ffff:010.1.2.3',
    'nope',
    '10.0.0.1/24',
  ])('%j is refused', (input) => expect(canonicalIP(input)).toBeNull());
});

describe('canonicalCIDR (types.ParseCIDR then IPNet.String)', () => {
  it.each([
    ['10.0.0.5/24', '10.0.0.5/24', 4],
    ['10.0.0.5/024', '10.0.0.5/24', 4],
    ['0.0.0.0/0', '0.0.0.0/0', 4],
    ['FD00::5/64', 'fd00::5/64', 6],
    ['::/0', '::/0', 6],
    ['::ffff:10.0.0.1/120', '10.0.0.1/24', 4],
    ['::ffff:10.0.0.1/128', '10.0.0.1/32', 4],
    ['::ffff:10.0.0.1/64', '10.0.0.1/0', 4],
    ['::10.0.0.1/120', '::a00:1/120', 6],
  ])('%s → %s (IPv%i)', (input, out, family) => {
    expect(canonicalCIDR(input)).toBe(out);
    expect(cidrFamily(input)).toBe(family);
  });

  it.each([
    '10.0.0.5',
    '10.0.0.5/',
    '10.0.0.5/33',
    '10.0.0.5/-1',
    '10.0.0.5/+8',
    '10.0.0.5/2 4',
    '10.0.0.5/24/1',
    'fd00::/129',
    '/24',
    'fe80::1%eth0/64',
  ])('%j is refused', (input) => expect(canonicalCIDR(input)).toBeNull());
});

describe('agreement with ip-address on the shared grammar', () => {
  const hexCase = fc.boolean();

  it('IPv4: same validity and the same text', () => {
    fc.assert(
      fc.property(ipv4Bytes, (b) => {
        const s = b.join('.');
        expect(Address4.isValid(s)).toBe(true);
        expect(canonicalIP(s)).toBe(new Address4(s).correctForm());
      }),
    );
  });

  it('IPv6 (not IPv4-mapped): the same RFC 5952 text from uncompressed input of any case and padding', () => {
    fc.assert(
      fc.property(
        ipv6Groups,
        hexCase,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
        (g, upper, pads) => {
          fc.pre(!(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff));
          const text = g
            .map((x, i) => x.toString(16).padStart(Math.min(4, x.toString(16).length + pads[i]!), '0'))
            .join(':');
          const input = upper ? text.toUpperCase() : text;
          expect(Address6.isValid(input)).toBe(true);
          expect(canonicalIP(input)).toBe(new Address6(input).correctForm());
        },
      ),
    );
  });

  it('random short strings: whatever we accept (short hex groups), ip-address accepts too', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 20 }), (s) => {
        // Go also takes hex groups longer than four digits (`00001::`); ip-address does not.
        fc.pre(!/[0-9a-fA-F]{5,}/.test(s));
        const ours = canonicalIP(s);
        if (ours === null) return;
        expect(s.includes(':') ? Address6.isValid(s) : Address4.isValid(s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
