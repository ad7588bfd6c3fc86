import { describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { checkRequiredEnv, readCniEnv, requiredEnvVars, splitCniPath } from '../../spec/env';

const thrown = (f: () => unknown): CniError => {
  try {
    f();
  } catch (e) {
    return e as CniError;
  }
  throw new Error('expected a throw');
};

describe('CNI environment', () => {
  it('C-14: reads absent and empty variables alike', () => {
    expect(readCniEnv({ CNI_COMMAND: 'ADD', CNI_ARGS: '' })).toEqual({
      command: 'ADD',
      containerId: '',
      netns: '',
      ifName: '',
      args: '',
      path: '',
    });
  });

  it.each([
    ['ADD', ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']],
    ['CHECK', ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']],
    ['DEL', ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_IFNAME']],
    ['GC', ['CNI_COMMAND', 'CNI_PATH']],
    ['STATUS', ['CNI_COMMAND']],
    ['VERSION', ['CNI_COMMAND']],
    ['FOO', ['CNI_COMMAND']],
  ])('C-09/C-10/C-11/C-12/C-13/X-08/X-15: %s requires %j', (command, vars) => {
    expect(requiredEnvVars(command)).toEqual(vars);
  });

  it('C-13: CNI_PATH is optional for ADD, CHECK and DEL, as the spec says (Go requires it)', () => {
    for (const command of ['ADD', 'CHECK', 'DEL']) {
      expect(() =>
        checkRequiredEnv(
          readCniEnv({ CNI_COMMAND: command, CNI_CONTAINERID: 'c', CNI_NETNS: 'n', CNI_IFNAME: 'eth0' }),
        ),
      ).not.toThrow();
    }
  });

  it('C-09: lists every missing variable in Go order, comma-joined, code 4', () => {
    const e = thrown(() => checkRequiredEnv(readCniEnv({ CNI_COMMAND: 'ADD' })));
    expect(e.code).toBe(4);
    expect(e.msg).toBe('required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing');
  });

  it.each(['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'])('C-09/C-14: ADD with %s empty names it', (name) => {
    const env = {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'c',
      CNI_NETNS: 'n',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/p',
      [name]: '',
    };
    expect(thrown(() => checkRequiredEnv(readCniEnv(env))).msg).toBe(`required env variables [${name}] missing`);
  });

  it('C-11: DEL does not need CNI_NETNS', () => {
    expect(() =>
      checkRequiredEnv(readCniEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c', CNI_IFNAME: 'e', CNI_PATH: '/p' })),
    ).not.toThrow();
  });

  it('C-08: a missing CNI_COMMAND is itself a missing variable', () => {
    expect(thrown(() => checkRequiredEnv(readCniEnv({}))).msg).toBe('required env variables [CNI_COMMAND] missing');
  });
});

describe('CNI_PATH splitting (C-13; Windows separates with ";")', () => {
  it.each([
    ['linux', '/opt/cni/bin:/usr/lib/cni', ['/opt/cni/bin', '/usr/lib/cni']],
    ['linux', '/a::/b:', ['/a', '/b']],
    ['linux', '', []],
    ['linux', '/a;b:/c', ['/a;b', '/c']],
    [
      'win32',
      'C:\\Program Files\\containerd\\cni\\bin;D:\\cni',
      ['C:\\Program Files\\containerd\\cni\\bin', 'D:\\cni'],
    ],
    ['win32', 'C:\\a;;C:\\b;', ['C:\\a', 'C:\\b']],
    ['win32', '"C:\\odd;dir";C:\\b', ['C:\\odd;dir', 'C:\\b']],
    ['win32', '/usr/lib:/x', ['/usr/lib:/x']],
    ['win32', '', []],
  ] as const)('%s %j → %j', (platform, raw, expected) => {
    expect(splitCniPath(raw, platform)).toEqual(expected);
  });
});
