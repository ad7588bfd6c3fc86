import { describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { validateContainerId, validateInterfaceName, validateNetworkName } from '../../spec/names';

const verdict = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    const c = e as CniError;
    return { code: c.code, msg: c.msg, details: c.details };
  }
};

describe('container id (C-16)', () => {
  it.each(['a', '0', 'A.b_c-9', 'f'.repeat(64), 'abc-'])('accepts %j', (id) =>
    expect(verdict(() => validateContainerId(id))).toBe('ok'),
  );
  it.each(['-abc', '_x', '.x', 'a:b', 'a b', 'a/b', 'ü1', 'abc\n', 'a\u0000'])(
    'refuses %j with code 4 and the id as details',
    (id) => {
      expect(verdict(() => validateContainerId(id))).toEqual({
        code: 4,
        msg: 'invalid characters in containerID',
        details: id,
      });
    },
  );
  it('empty is code 3 "missing containerID", as in Go', () => {
    expect(verdict(() => validateContainerId(''))).toEqual({ code: 3, msg: 'missing containerID', details: undefined });
  });
});

describe('network name (C-23)', () => {
  it.each(['natnet', 'n', 'a.b-c_d', '9'])('accepts %j', (n) =>
    expect(verdict(() => validateNetworkName(n))).toBe('ok'),
  );
  it.each(['a/b', 'bad name', 'ünï', '-x', '.x', 'a\\b', 'c:'])(
    'refuses %j with code 7 and the name as details',
    (n) => {
      expect(verdict(() => validateNetworkName(n))).toEqual({
        code: 7,
        msg: 'invalid characters found in network name',
        details: n,
      });
    },
  );
  it('empty is code 7 "missing network name"', () => {
    expect(verdict(() => validateNetworkName(''))).toEqual({
      code: 7,
      msg: 'missing network name',
      details: undefined,
    });
  });
});

describe('interface name (C-17)', () => {
  it.each(['eth0', 'net1', 'x'.repeat(15), 'é'.repeat(7), 'vEthernet(nat)'])('accepts %j', (n) =>
    expect(verdict(() => validateInterfaceName(n))).toBe('ok'),
  );
  it.each([
    ['', 'interface name is empty', undefined],
    ['x'.repeat(16), 'interface name is too long', 'interface name should be less than 16 characters'],
    ['é'.repeat(8), 'interface name is too long', 'interface name should be less than 16 characters'],
    ['.', 'interface name is . or ..', undefined],
    ['..', 'interface name is . or ..', undefined],
    ['a/b', 'interface name contains / or : or whitespace characters', undefined],
    ['a:b', 'interface name contains / or : or whitespace characters', undefined],
    ['a b', 'interface name contains / or : or whitespace characters', undefined],
    ['a\tb', 'interface name contains / or : or whitespace characters', undefined],
    ['a\u00a0b', 'interface name contains / or : or whitespace characters', undefined],
    ['a\u0085b', 'interface name contains / or : or whitespace characters', undefined],
    ['a\u3000b', 'interface name contains / or : or whitespace characters', undefined],
  ])('refuses %j: %s', (n, msg, details) => {
    expect(verdict(() => validateInterfaceName(n))).toEqual({ code: 4, msg, details });
  });
  it('a BOM is not whitespace for Go (unicode.IsSpace), so it is allowed', () => {
    expect(verdict(() => validateInterfaceName('a\ufeffb'))).toBe('ok');
  });
});
