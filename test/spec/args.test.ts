import { describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { loadCniArgs, parseCniArgs } from '../../spec/args';

const K8S =
  'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=ctr1;K8S_POD_UID=u1';

const loadError = (raw: string, keys: string[]) => {
  try {
    loadCniArgs(parseCniArgs(raw), keys);
  } catch (e) {
    return { code: (e as CniError).code, msg: (e as CniError).msg };
  }
  return undefined;
};

describe('CNI_ARGS parsing (C-19)', () => {
  it('splits K=V pairs, keeps order and invalid segments, never throws', () => {
    const a = parseCniArgs('A=1;B=2;bad;C=x=y;;A=3');
    expect(a.pairs).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['A', '3'],
    ]);
    expect(a.invalid).toEqual(['bad', 'C=x=y', '']);
    expect(a.get('A')).toBe('3');
    expect(a.get('a')).toBeUndefined();
    expect(a.get('C')).toBeUndefined();
  });

  it('C-14: empty CNI_ARGS has no pairs', () => {
    const a = parseCniArgs('');
    expect(a.pairs).toEqual([]);
    expect(a.invalid).toEqual([]);
  });

  it('keeps unicode and empty values unchanged', () => {
    const a = parseCniArgs('NAME=ünï;EMPTY=;=v');
    expect(a.get('NAME')).toBe('ünï');
    expect(a.get('EMPTY')).toBe('');
    expect(a.get('')).toBe('v');
  });

  it('C-19: the kubelet form loads with IgnoreUnknown', () => {
    expect(loadCniArgs(parseCniArgs(K8S), ['K8S_POD_NAMESPACE', 'K8S_POD_NAME'])).toEqual({
      K8S_POD_NAMESPACE: 'default',
      K8S_POD_NAME: 'web-0',
    });
  });

  it.each([
    ['A=b=c', ['A'], 'CNI_ARGS: invalid pair "A=b=c"'],
    ['FOO', ['FOO'], 'CNI_ARGS: invalid pair "FOO"'],
    ['A=1;', ['A'], 'CNI_ARGS: invalid pair ""'],
    ['A=b', [], 'CNI_ARGS: unknown args ["A=b"]'],
    ['A=b;B=c;K=1', ['K'], 'CNI_ARGS: unknown args ["A=b" "B=c"]'],
    ['ignoreunknown=1;A=b', [], 'CNI_ARGS: unknown args ["ignoreunknown=1" "A=b"]'],
    [
      'IgnoreUnknown=yes',
      [],
      'CNI_ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes',
    ],
    ['IgnoreUnknown=0;A=b', [], 'CNI_ARGS: unknown args ["A=b"]'],
    ['A=b;IgnoreUnknown=x=y', [], 'CNI_ARGS: invalid pair "IgnoreUnknown=x=y"'],
  ])('Go LoadArgs rules: %j → %s (code 4)', (raw, keys, msg) => {
    expect(loadError(raw, keys)).toEqual({ code: 4, msg });
  });

  it.each(['1', 'true', 'TRUE', 'True'])('IgnoreUnknown=%s ignores unknown keys', (v) => {
    expect(loadError(`IgnoreUnknown=${v};A=b`, [])).toBeUndefined();
  });
});
