/**
 * The real libcni 1.1.2 (what containerd and every Go runtime embed) drives plugins through
 * dist/peers/libcni-driver: first Debian's host-local, then fake plugins that record exactly what
 * libcni sends, so the facts the nat plugin relies on are proven here, not assumed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOST_LOCAL_DIR,
  LIBCNI_DRIVER,
  clearCalls,
  ensureDrivers,
  hostLocalConflist,
  readCalls,
  removeTempDirs,
  runDriver,
  tempDir,
  writeFakePlugin,
  writeJson,
} from './peers';

beforeAll(() => ensureDrivers());
afterAll(() => removeTempDirs());

describe('libcni-driver with host-local', () => {
  it('runs validate, version, add, check and del and prints each result', () => {
    const dir = tempDir('libcni-hl');
    const conflist = writeJson(
      path.join(dir, 'hl.conflist'),
      hostLocalConflist('peerhl', '10.231.0.0/24', path.join(dir, 'data')),
    );
    const cache = path.join(dir, 'cache');
    const common = [
      '--conflist',
      conflist,
      '--plugin-dir',
      HOST_LOCAL_DIR,
      '--cache-dir',
      cache,
      '--netns',
      '/nonexistent/netns',
      '--container-id',
      'hl-1',
    ];

    const add = runDriver(LIBCNI_DRIVER, ['validate,version,add', ...common]);
    expect(add.status, add.stderr).toBe(0);
    expect(add.step('validate').result).toEqual({ capabilities: [] });
    const [versions] = add.step('version').result as { type: string; supportedVersions: string[] }[];
    expect(versions?.type).toBe('host-local');
    expect(versions?.supportedVersions).toContain('1.0.0');
    expect(add.step('add').result).toEqual({
      cniVersion: '1.0.0',
      ips: [{ address: '10.231.0.2/24', gateway: '10.231.0.1' }],
      dns: {},
    });
    // The result is cached in the private cache dir, and the address reserved in host-local's dataDir.
    const cacheFile = path.join(cache, 'results', 'peerhl-hl-1-eth0');
    expect(JSON.parse(fs.readFileSync(cacheFile, 'utf8'))).toMatchObject({
      kind: 'cniCacheV1',
      networkName: 'peerhl',
      ifName: 'eth0',
    });
    expect(fs.readFileSync(path.join(dir, 'data', 'peerhl', '10.231.0.2'), 'utf8')).toMatch(/^hl-1/);
    expect(fs.existsSync('/var/lib/cni/results/peerhl-hl-1-eth0')).toBe(false);

    const rest = runDriver(LIBCNI_DRIVER, ['cached,check,del', ...common]);
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.step('cached').result).toEqual(add.step('add').result);
    expect(rest.lines.map((l) => [l.step, l.ok])).toEqual([
      ['cached', true],
      ['check', true],
      ['del', true],
    ]);
    expect(fs.existsSync(cacheFile)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'data', 'peerhl', '10.231.0.2'))).toBe(false);
  });

  it('reports a plugin failure with its CNI code and exits 1, and still runs later steps', () => {
    const dir = tempDir('libcni-hl-dup');
    const conflist = writeJson(
      path.join(dir, 'hl.conflist'),
      hostLocalConflist('peerdup', '10.232.0.0/24', path.join(dir, 'data')),
    );
    const run = runDriver(LIBCNI_DRIVER, [
      'add,add,del',
      '--conflist',
      conflist,
      '--plugin-dir',
      HOST_LOCAL_DIR,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--netns',
      '/x',
      '--container-id',
      'dup',
    ]);
    expect(run.status).toBe(1);
    const [first, second, del] = run.lines;
    expect(first).toMatchObject({ step: 'add', ok: true });
    // host-local returns a plain Go error, which skel turns into code 999; libcni prefixes the plugin.
    expect(second).toMatchObject({ step: 'add', ok: false, error: { code: 999, goType: '*fmt.wrapError' } });
    expect(second?.error?.msg).toMatch(/duplicate allocation is not allowed/);
    expect(second?.error?.text).toBe(`plugin type="host-local" failed (add): ${second?.error?.msg}`);
    expect(del).toMatchObject({ step: 'del', ok: true });
  });

  it('refuses to run without a private cache dir', () => {
    const run = runDriver(LIBCNI_DRIVER, [
      'add',
      '--conflist',
      '/nonexistent.conflist',
      '--plugin-dir',
      HOST_LOCAL_DIR,
    ]);
    expect(run.status).toBe(2);
    expect(run.step('usage').error?.msg).toMatch(/--cache-dir is required/);
  });
});

describe('libcni-driver with recording fake plugins', () => {
  const resultA = {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', mac: '00:15:5d:00:00:01', sandbox: 'ns-guid' }],
    ips: [{ address: '10.4.0.5/24', gateway: '10.4.0.1', interface: 0 }],
    dns: { nameservers: ['10.4.0.1'] },
  };
  const resultB = { ...resultA, ips: [{ address: '10.4.0.6/24', gateway: '10.4.0.1', interface: 0 }] };
  const portMappings = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }];
  const dns = { servers: ['1.1.1.1'], searches: ['svc.local'], options: ['ndots:5'] };

  function setup(listVersion: string, aVersions?: string[]) {
    const dir = tempDir('libcni-fake');
    const plugins = path.join(dir, 'plugins');
    const dump = path.join(dir, 'dump');
    writeFakePlugin(plugins, 'fakea', dump, {
      addResult: resultA,
      ...(aVersions ? { supportedVersions: aVersions } : {}),
    });
    writeFakePlugin(plugins, 'fakeb', dump, { addResult: resultB });
    const conflist = writeJson(path.join(dir, 'fake.conflist'), {
      cniVersion: listVersion,
      name: 'fakenet',
      plugins: [
        // The plugin's own cniVersion and name are overwritten by the list's.
        {
          type: 'fakea',
          cniVersion: '0.3.1',
          name: 'ignored',
          capabilities: { portMappings: true, dns: true },
          someKey: { kept: true },
        },
        { type: 'fakeb' },
      ],
    });
    const args = [
      '--conflist',
      conflist,
      '--plugin-dir',
      `${plugins}:${HOST_LOCAL_DIR}`,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--netns',
      'ns-guid',
      '--container-id',
      'ctr-1',
      '--ifname',
      'eth0',
      '--args',
      'IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1',
      '--capability-args',
      JSON.stringify({ portMappings, dns, bandwidth: { ingressRate: 1 } }),
    ];
    return { dir, plugins, dump, args };
  }

  it('sends VERSION with dummy env and a bare cniVersion', () => {
    const { dump, args } = setup('1.0.0');
    const run = runDriver(LIBCNI_DRIVER, ['version', ...args]);
    expect(run.status, run.stderr).toBe(0);
    const calls = readCalls(dump);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.env).toMatchObject({
        CNI_COMMAND: 'VERSION',
        CNI_NETNS: 'dummy',
        CNI_IFNAME: 'dummy',
        CNI_PATH: 'dummy',
        CNI_CONTAINERID: '',
      });
      expect(call.stdin).toEqual({ cniVersion: '1.0.0' });
    }
  });

  it('ADD: CNI env, the caller environment, injected name/cniVersion, only declared capabilities, prevResult chained', () => {
    const { dump, plugins, args } = setup('1.0.0');
    const run = runDriver(LIBCNI_DRIVER, ['add', ...args], { PEER_MARKER: 'from-the-runtime' });
    expect(run.status, run.stderr).toBe(0);
    // The list's result is the last plugin's.
    expect(run.step('add').result).toEqual(resultB);
    const [a, b, ...more] = readCalls(dump);
    expect(more).toHaveLength(0);
    for (const call of [a!, b!]) {
      expect(call.env).toMatchObject({
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: 'ctr-1',
        CNI_NETNS: 'ns-guid',
        CNI_IFNAME: 'eth0',
        CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1',
        CNI_PATH: `${plugins}:${HOST_LOCAL_DIR}`,
        PEER_MARKER: 'from-the-runtime',
      });
    }
    expect(a!.stdin).toEqual({
      cniVersion: '1.0.0',
      name: 'fakenet',
      type: 'fakea',
      capabilities: { portMappings: true, dns: true },
      someKey: { kept: true },
      // Exactly as the runtime gave them (camelCase here); bandwidth is not declared, so dropped.
      runtimeConfig: { portMappings, dns },
    });
    expect(a!.raw).not.toMatch(/\n/); // Go re-serialises compactly
    expect(b!.stdin).toEqual({ cniVersion: '1.0.0', name: 'fakenet', type: 'fakeb', prevResult: resultA });
  });

  it('CHECK and DEL: cached result as prevResult, DEL in reverse order, cache gone after DEL', () => {
    const { dump, dir, args } = setup('1.0.0');
    expect(runDriver(LIBCNI_DRIVER, ['add', ...args]).status).toBe(0);
    clearCalls(dump);

    const run = runDriver(LIBCNI_DRIVER, ['check,del', ...args]);
    expect(run.status, run.stderr).toBe(0);
    const calls = readCalls(dump);
    expect(calls.map((c) => [c.env.CNI_COMMAND, c.stdin?.type])).toEqual([
      ['CHECK', 'fakea'],
      ['CHECK', 'fakeb'],
      ['DEL', 'fakeb'],
      ['DEL', 'fakea'],
    ]);
    for (const call of calls) {
      expect(call.stdin?.prevResult).toEqual(resultB);
      expect(call.env.CNI_ARGS).toBe('IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1');
    }
    // Capability args travel on CHECK and DEL too.
    expect(calls[0]!.stdin?.runtimeConfig).toEqual({ portMappings, dns });
    expect(fs.readdirSync(path.join(dir, 'cache', 'results'))).toEqual([]);

    // A repeated DEL has no cached result, so no prevResult.
    clearCalls(dump);
    expect(runDriver(LIBCNI_DRIVER, ['del', ...args]).status).toBe(0);
    const again = readCalls(dump);
    expect(again).toHaveLength(2);
    for (const call of again) expect(call.stdin).not.toHaveProperty('prevResult');
  });

  it('a 0.3.1 list: CHECK is refused by libcni without calling the plugin; DEL gets no prevResult', () => {
    const { dump, args } = setup('0.3.1');
    const run = runDriver(LIBCNI_DRIVER, ['add,check,del', ...args]);
    expect(run.status).toBe(1);
    expect(run.step('add').ok).toBe(true);
    expect(run.step('check').error?.msg).toBe('configuration version "0.3.1" does not support the CHECK command');
    expect(run.step('del').ok).toBe(true);
    const calls = readCalls(dump);
    expect(calls.map((c) => c.env.CNI_COMMAND)).toEqual(['ADD', 'ADD', 'DEL', 'DEL']);
    expect(calls.every((c) => c.stdin?.cniVersion === '0.3.1')).toBe(true);
    expect(calls.filter((c) => c.env.CNI_COMMAND === 'DEL').every((c) => !('prevResult' in (c.stdin ?? {})))).toBe(
      true,
    );
  });

  it('validate fails when a plugin does not support the list version', () => {
    const { args } = setup('1.0.0', ['0.3.1', '0.4.0']);
    const run = runDriver(LIBCNI_DRIVER, ['validate', ...args]);
    expect(run.status).toBe(1);
    // ValidateNetworkList flattens its errors into one string: the CNI code is lost (code 0).
    expect(run.step('validate').error).toMatchObject({
      code: 0,
      msg: '[plugin fakea does not support config version "1.0.0"]',
    });
  });

  it('keeps the code, msg and details of a plugin error object', () => {
    const dir = tempDir('libcni-fail');
    const dump = path.join(dir, 'dump');
    writeFakePlugin(path.join(dir, 'plugins'), 'fakea', dump, {
      addResult: resultA,
      failOn: { DEL: { code: 11, msg: 'busy', details: 'try later' } },
    });
    const conflist = writeJson(path.join(dir, 'f.conflist'), {
      cniVersion: '1.0.0',
      name: 'failnet',
      plugins: [{ type: 'fakea' }],
    });
    const run = runDriver(LIBCNI_DRIVER, [
      'del',
      '--conflist',
      conflist,
      '--plugin-dir',
      path.join(dir, 'plugins'),
      '--cache-dir',
      path.join(dir, 'cache'),
      '--netns',
      'n',
    ]);
    expect(run.status).toBe(1);
    expect(run.step('del').error).toEqual({
      code: 11,
      msg: 'busy',
      details: 'try later',
      text: 'plugin type="fakea" failed (delete): busy; try later',
      goType: '*fmt.wrapError',
    });
  });
});
