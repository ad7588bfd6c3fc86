import { describe, expect, it } from 'vitest';
import { goJsonKind, goQuote, goQuoteByte, goQuoteList } from '../../spec/gofmt';

describe('Go formatting helpers', () => {
  it.each([
    ['abc', '"abc"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    ['\u0001', '"\\x01"'],
    ['\u007f', '"\\x7f"'],
    ['ünï', '"ünï"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u{1F600}', '"😀"'],
    ['\u{E0001}', '"\\U000e0001"'],
  ])('goQuote(%j) = %s', (s, q) => expect(goQuote(s)).toBe(q));

  it('goQuoteList is %q of a []string', () => {
    expect(goQuoteList(['0.1.0', '1.0.0'])).toBe('["0.1.0" "1.0.0"]');
    expect(goQuoteList([])).toBe('[]');
  });

  it.each([
    [0x78, "'x'"],
    [0x27, "'\\''"],
    [0x22, `'"'`],
    [0x0a, "'\\n'"],
    [0xef, "'ï'"],
    [0x85, "'\\u0085'"],
  ])('goQuoteByte(%i) = %s', (b, q) => expect(goQuoteByte(b)).toBe(q));

  it.each([
    [null, 'null'],
    [[], 'array'],
    ['', 'string'],
    [1, 'number'],
    [false, 'bool'],
    [{}, 'object'],
  ])('goJsonKind(%j) = %s', (v, k) => expect(goJsonKind(v)).toBe(k));
});
