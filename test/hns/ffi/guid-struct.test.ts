import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guidToStruct, structToGuid } from '../../../hns/ffi';

describe('guidToStruct', () => {
  it('splits the text into Data1..3 and the eight Data4 bytes in textual order', () => {
    expect(guidToStruct('01234567-89AB-cdef-0123-456789abcdef')).toEqual({
      Data1: 0x01234567,
      Data2: 0x89ab,
      Data3: 0xcdef,
      Data4: [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef],
    });
  });

  it.each([
    '{01234567-89ab-cdef-0123-456789abcdef}',
    '0123456789abcdef0123456789abcdef',
    '01234567-89ab-cdef-0123-456789abcdeg',
    '',
  ])('refuses %j', (s) => expect(guidToStruct(s)).toBeUndefined());

  it('round-trips every GUID to its lowercase text', () => {
    fc.assert(
      fc.property(fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }), fc.boolean(), (g, upper) => {
        const s = guidToStruct(upper ? g.toUpperCase() : g);
        expect(s).toBeDefined();
        expect(structToGuid(s!)).toBe(g.toLowerCase());
      }),
    );
  });
});
