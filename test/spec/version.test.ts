import { describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import {
  decodeConfigVersion,
  negotiateVersion,
  newestVersion,
  parseVersion,
  versionAnswer,
  versionAtLeast,
} from '../../spec/version';
import { ALL_VERSIONS, type CniVersion } from '../../spec/versions';

const GO_ALL: CniVersion[] = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];
const NAT_GO: CniVersion[] = ['0.2.0', '0.3.0', '0.4.0', '1.0.0'];

const verdict = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch (e) {
    const c = e as CniError;
    return { code: c.code, msg: c.msg, details: c.details };
  }
};

describe('config version decoding (C-24)', () => {
  it.each([
    [{}, '0.1.0'],
    [{ cniVersion: '' }, '0.1.0'],
    [{ cniVersion: null }, '0.1.0'],
    [{ cniVersion: '1.0.0' }, '1.0.0'],
    [{ CNIVERSION: '0.4.0' }, '0.4.0'],
    [{ cniVersion: 'v1' }, 'v1'],
  ])('%j → %s', (config, v) => {
    expect(decodeConfigVersion(config)).toBe(v);
  });
  it.each([
    [1, 'number'],
    [true, 'bool'],
    [[], 'array'],
    [{}, 'object'],
  ])('a non-string (%j) is code 6 with Go text', (value, kind) => {
    expect(verdict(() => decodeConfigVersion({ cniVersion: value }))).toEqual({
      code: 6,
      msg: `decoding version from network config: json: cannot unmarshal ${kind} into Go struct field .cniVersion of type string`,
      details: undefined,
    });
  });
});

describe('Go version parsing', () => {
  it.each([
    ['', [0, 1, 0]],
    ['1', [1, 0, 0]],
    ['1.1', [1, 1, 0]],
    ['0.3.1', [0, 3, 1]],
    ['+1.-2.03', [1, -2, 3]],
  ])('%j → %j', (v, parts) => expect(parseVersion(v)).toEqual(parts));
  it.each([
    ['1.0.0.0', 'invalid version "1.0.0.0": too many parts'],
    ['v1.0.0', 'failed to convert major version part "v1": strconv.Atoi: parsing "v1": invalid syntax'],
    ['1..0', 'failed to convert minor version part "": strconv.Atoi: parsing "": invalid syntax'],
    ['1.0.x', 'failed to convert micro version part "x": strconv.Atoi: parsing "x": invalid syntax'],
    [
      '99999999999999999999.0',
      'failed to convert major version part "99999999999999999999": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
  ])('%j → code 6 %s', (v, msg) =>
    expect(verdict(() => parseVersion(v))).toEqual({ code: 6, msg, details: undefined }),
  );
  it('orders versions numerically', () => {
    expect(versionAtLeast('0.10.0', '0.4.0')).toBe(true);
    expect(versionAtLeast('0.3.1', '0.4.0')).toBe(false);
    expect(versionAtLeast('1', '1.0.0')).toBe(true);
    expect(versionAtLeast('', '0.1.0')).toBe(true);
  });
});

describe('negotiation', () => {
  it.each(ALL_VERSIONS)('C-32: %s is accepted for ADD/DEL when supported', (v) => {
    expect(negotiateVersion('ADD', v, ALL_VERSIONS)).toBe(v);
    expect(negotiateVersion('DEL', v, ALL_VERSIONS)).toBe(v);
  });
  it.each(['9.9.9', '1.0', '2.0.0', '0.5.0', '1', 'v1.0.0', ' 1.0.0'])(
    'C-24: %j is incompatible (code 1, Go details)',
    (v) => {
      expect(verdict(() => negotiateVersion('ADD', v, GO_ALL))).toEqual({
        code: 1,
        msg: 'incompatible CNI versions',
        details: `config is ${JSON.stringify(v)}, plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]`,
      });
    },
  );
  it('C-32: a version the plugin does not list is incompatible (the Go nat plugin lacks 0.3.1)', () => {
    expect(verdict(() => negotiateVersion('ADD', '0.3.1', NAT_GO))).toMatchObject({
      code: 1,
      msg: 'incompatible CNI versions',
    });
  });
  it.each(ALL_VERSIONS)('C-63: CHECK at %s', (v) => {
    const r = verdict(() => negotiateVersion('CHECK', v, ALL_VERSIONS));
    if (versionAtLeast(v, '0.4.0')) expect(r).toEqual({ ok: v });
    else expect(r).toEqual({ code: 1, msg: 'config version does not allow CHECK', details: undefined });
  });
  it.each(ALL_VERSIONS.flatMap((v) => [['GC', v] as const, ['STATUS', v] as const]))(
    'X-12/X-23: %s at %s',
    (cmd, v) => {
      const r = verdict(() => negotiateVersion(cmd, v, ALL_VERSIONS));
      if (v === '1.1.0') expect(r).toEqual({ ok: v });
      else expect(r).toEqual({ code: 1, msg: `config version does not allow ${cmd}`, details: undefined });
    },
  );
  it('CHECK with a malformed version is Go code 6, before any support check', () => {
    expect(verdict(() => negotiateVersion('CHECK', 'v1', ALL_VERSIONS))).toMatchObject({ code: 6 });
    expect(verdict(() => negotiateVersion('ADD', 'v1', ALL_VERSIONS))).toMatchObject({ code: 1 });
  });
  it('"plugin version does not allow X" when every supported version is older than the config', () => {
    expect(verdict(() => negotiateVersion('CHECK', '1.1.0', NAT_GO))).toMatchObject({
      code: 1,
      msg: 'plugin version does not allow CHECK',
    });
    expect(verdict(() => negotiateVersion('GC', '1.1.0', NAT_GO))).toMatchObject({
      code: 1,
      msg: 'plugin version does not allow GC',
    });
    // Newer than the plugin's newest but still ≥: passes the order check, then fails the exact match.
    expect(verdict(() => negotiateVersion('CHECK', '0.4.1', NAT_GO))).toMatchObject({
      code: 1,
      msg: 'incompatible CNI versions',
    });
  });
});

describe('VERSION answer (C-29, C-30, X-01)', () => {
  it.each(ALL_VERSIONS)('C-30/X-01: echoes a requested %s', (v) => {
    expect(versionAnswer(v, ALL_VERSIONS)).toEqual({ cniVersion: v, supportedVersions: [...ALL_VERSIONS] });
  });
  it.each([undefined, '9.9.9', '', '1.0'])('answers 1.1.0 when the request names %j', (v) => {
    expect(versionAnswer(v, NAT_GO).cniVersion).toBe('1.1.0');
  });
  it('newestVersion is the newest supported', () => {
    expect(newestVersion(NAT_GO)).toBe('1.0.0');
    expect(newestVersion(['0.1.0'])).toBe('0.1.0');
    expect(newestVersion(ALL_VERSIONS)).toBe('1.1.0');
  });
});
