import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, goJsonSyntaxError } from '../../spec/json';

const err = (s: string | Buffer) => goJsonSyntaxError(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

describe('goJsonSyntaxError (C-22: stdin must decode as JSON, with Go scanner texts)', () => {
  it.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['{"a":', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['-', 'unexpected end of JSON input'],
    ['1.', 'unexpected end of JSON input'],
    ['notjson', "invalid character 'o' in literal null (expecting 'u')"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['fals3', "invalid character '3' in literal false (expecting 'e')"],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['\ufeff{}', "invalid character 'ï' looking for beginning of value"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['{}{}', "invalid character '{' after top-level value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{,}', "invalid character ',' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['[,]', "invalid character ',' looking for beginning of value"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.e', "invalid character 'e' after decimal point in numeric literal"],
    ['1e+', 'unexpected end of JSON input'],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['01', "invalid character '1' after top-level value"],
    ['[01]', "invalid character '1' after array element"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ])('%j → %s', (input, expected) => {
    expect(err(input)).toBe(expected);
  });

  it.each([
    '{}',
    ' \r\n\t{"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]}\r\n',
    '[]',
    '"s"',
    '0',
    '-0.0E-0',
    '{"a":{"b":[[],{}]}}',
  ])('accepts %j', (input) => {
    expect(err(input)).toBeUndefined();
  });

  it('names the byte of invalid UTF-8 outside strings as Go does, and leaves bytes inside strings alone', () => {
    expect(err(Buffer.from([0xff]))).toBe("invalid character 'ÿ' looking for beginning of value");
    expect(err(Buffer.from([0x80]))).toBe("invalid character '\\u0080' looking for beginning of value");
    expect(err(Buffer.from([0x22, 0xff, 0x22]))).toBeUndefined();
  });

  it('refuses nesting deeper than Go does, without recursion', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(err(deep(MAX_JSON_DEPTH))).toBeUndefined();
    expect(err(deep(MAX_JSON_DEPTH + 1))).toBe('exceeded max depth');
    expect(err('['.repeat(1_000_000))).toBe('exceeded max depth');
  });

  it('accepts every JSON text JSON.stringify produces (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (v, indent) => {
        expect(err(JSON.stringify(v, null, indent))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on validity for arbitrary short texts (property)', () => {
    const alphabet = fc.constantFrom(...'{}[]:,"\\ \n01-.eE+tfnrulasx'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 12 }).map((a) => a.join('')),
        (s) => {
          let valid = true;
          try {
            JSON.parse(s);
          } catch {
            valid = false;
          }
          expect(err(s) === undefined).toBe(valid);
        },
      ),
      { numRuns: 20000 },
    );
  });
});
