/**
 * The nat plugin named as its own IPAM plugin: refused by file identity before anything runs, and by
 * the delegation marker in a copy that is started anyway (issue 9, shape 5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { IPAM_DELEGATE_ENV, refuseNestedDelegation, resolveIpamPlugin } from '../../plugin/ipam';

let dir: string;
let self: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ipam-self-'));
  self = path.join(dir, 'nat');
  fs.writeFileSync(self, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'host-local'), '#!/bin/sh\n', { mode: 0o755 });
  fs.symlinkSync(self, path.join(dir, 'sym'));
  fs.linkSync(self, path.join(dir, 'hard'));
  fs.copyFileSync(self, path.join(dir, 'copy'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CniError);
    return (e as CniError).code;
  }
  return undefined;
};

describe('resolveIpamPlugin', () => {
  it.each(['nat', 'sym', 'hard'])('refuses %s, which is this plugin itself, with code 7', (type) => {
    expect(codeOf(() => resolveIpamPlugin(type, [dir], 'linux', [self]))).toBe(7);
  });

  it('finds another plugin, and a copy of ours (file identity cannot see it; the marker does)', () => {
    expect(resolveIpamPlugin('host-local', [dir], 'linux', [self])).toBe(path.join(dir, 'host-local'));
    expect(resolveIpamPlugin('copy', [dir], 'linux', [self])).toBe(path.join(dir, 'copy'));
  });

  it('recognises the running process itself by default', () => {
    // Under vitest the "script" is vitest's own entry; naming it as an IPAM plugin is refused.
    const script = process.argv[1] as string;
    expect(codeOf(() => resolveIpamPlugin(path.basename(script), [path.dirname(script)]))).toBe(7);
  });
});

describe('refuseNestedDelegation', () => {
  it('lets a plugin started by a runtime run', () => {
    expect(codeOf(() => refuseNestedDelegation({ PATH: '/bin' }, 'linux'))).toBeUndefined();
  });

  it('refuses with code 7 when this plugin started us as its IPAM plugin', () => {
    expect(codeOf(() => refuseNestedDelegation({ [IPAM_DELEGATE_ENV]: 'process 1' }, 'linux'))).toBe(7);
  });

  it('reads the marker case-insensitively on Windows only', () => {
    const env = { [IPAM_DELEGATE_ENV.toLowerCase()]: 'process 1' };
    expect(codeOf(() => refuseNestedDelegation(env, 'win32'))).toBe(7);
    expect(codeOf(() => refuseNestedDelegation(env, 'linux'))).toBeUndefined();
  });
});
