/**
 * containerd's go-cni 1.1.7 (what containerd's CRI and nerdctl call) drives plugins through
 * dist/peers/gocni-driver, with the options CRI uses. The fake plugins record what actually
 * arrives: PascalCase capability args, the Kubernetes labels in CNI_ARGS, prevResult on CHECK/DEL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOCNI_DRIVER,
  HOST_LOCAL_DIR,
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

const podArgs = ['--pod-namespace', 'default', '--pod-name', 'web-0', '--pod-uid', 'uid-123'];

describe('gocni-driver with host-local', () => {
  it('loads the first config of the conf dir and runs setup, check and remove', () => {
    const dir = tempDir('gocni-hl');
    const confDir = path.join(dir, 'conf');
    writeJson(
      path.join(confDir, '10-hl.conflist'),
      hostLocalConflist('gocnihl', '10.233.0.0/24', path.join(dir, 'data')),
    );
    // Sorted after the first file, so with max-conf 1 (CRI's default) it is never loaded.
    writeJson(path.join(confDir, '20-other.conflist'), {
      cniVersion: '1.0.0',
      name: 'other',
      plugins: [{ type: 'nosuchplugin' }],
    });
    const cache = path.join(dir, 'cache');
    const common = [
      '--plugin-dir',
      HOST_LOCAL_DIR,
      '--conf-dir',
      confDir,
      '--cache-dir',
      cache,
      '--netns',
      '/nonexistent/netns',
      '--container-id',
      'sandbox-1',
      ...podArgs,
    ];

    const setup = runDriver(GOCNI_DRIVER, ['status,setup', ...common]);
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.step('load').result).toEqual({
      networks: [{ name: 'gocnihl', cniVersion: '1.0.0', ifName: 'eth0', plugins: ['host-local'] }],
    });
    const result = setup.step('setup').result as {
      Interfaces: Record<string, { IPConfigs: { IP: string; Gateway: string }[] }>;
      Raw: unknown[];
    };
    // host-local names no interface, so go-cni files its IP under the default one, eth0.
    expect(result.Interfaces.eth0?.IPConfigs).toEqual([{ IP: '10.233.0.2', Gateway: '10.233.0.1' }]);
    expect(result.Raw).toEqual([
      { cniVersion: '1.0.0', ips: [{ address: '10.233.0.2/24', gateway: '10.233.0.1' }], dns: {} },
    ]);
    // go-cni has no cache-dir option; the driver's libcni.CacheDir override keeps it private.
    expect(fs.existsSync(path.join(cache, 'results', 'gocnihl-sandbox-1-eth0'))).toBe(true);
    expect(fs.existsSync('/var/lib/cni/results/gocnihl-sandbox-1-eth0')).toBe(false);

    const rest = runDriver(GOCNI_DRIVER, ['check,remove', ...common]);
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.lines.map((l) => [l.step, l.ok])).toEqual([
      ['load', true],
      ['check', true],
      ['remove', true],
    ]);
    expect(fs.existsSync(path.join(cache, 'results', 'gocnihl-sandbox-1-eth0'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'data', 'gocnihl', '10.233.0.2'))).toBe(false);
  });

  it('reports an empty conf dir as a load failure', () => {
    const dir = tempDir('gocni-empty');
    fs.mkdirSync(path.join(dir, 'conf'));
    const run = runDriver(GOCNI_DRIVER, [
      'setup',
      '--plugin-dir',
      HOST_LOCAL_DIR,
      '--conf-dir',
      path.join(dir, 'conf'),
      '--cache-dir',
      path.join(dir, 'cache'),
    ]);
    expect(run.status).toBe(1);
    expect(run.step('load').error?.msg).toMatch(/^cni config load failed: no network config found in /);
    expect(run.lines).toHaveLength(1);
  });
});

describe('gocni-driver with a recording fake plugin', () => {
  const result = {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', mac: '00:15:5d:00:00:02', sandbox: 'ns-guid' }],
    ips: [{ address: '10.4.0.7/24', gateway: '10.4.0.1', interface: 0 }],
    dns: {},
  };

  function setup(failOnDel?: { code: number; msg: string }) {
    const dir = tempDir('gocni-fake');
    const dump = path.join(dir, 'dump');
    writeFakePlugin(path.join(dir, 'plugins'), 'fakenat', dump, {
      addResult: result,
      ...(failOnDel ? { failOn: { DEL: failOnDel } } : {}),
    });
    const conflist = writeJson(path.join(dir, 'conf', '0-fake.conflist'), {
      cniVersion: '1.0.0',
      name: 'nat',
      plugins: [{ type: 'fakenat', capabilities: { portMappings: true, dns: true } }],
    });
    const args = [
      '--plugin-dir',
      path.join(dir, 'plugins'),
      '--conflist',
      conflist,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--netns',
      'ns-guid',
      '--container-id',
      'sandbox-2',
      ...podArgs,
      // Given in camelCase on purpose: go-cni's structs decode either, and always re-encode PascalCase.
      '--port-map',
      JSON.stringify([{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }]),
      '--dns',
      JSON.stringify({ servers: ['10.4.0.1'], searches: ['svc.local'], options: ['ndots:5'] }),
    ];
    return { dir, dump, args };
  }

  it('sends PascalCase capability args and the CRI labels, and maps the result onto eth0', () => {
    const { dump, args } = setup();
    const run = runDriver(GOCNI_DRIVER, ['setup', ...args]);
    expect(run.status, run.stderr).toBe(0);
    const setupResult = run.step('setup').result as { Interfaces: Record<string, unknown>; Raw: unknown[] };
    expect(setupResult.Interfaces.eth0).toEqual({
      IPConfigs: [{ IP: '10.4.0.7', Gateway: '10.4.0.1' }],
      Mac: '00:15:5d:00:00:02',
      Sandbox: 'ns-guid',
    });
    expect(setupResult.Raw).toEqual([result]);

    const [add, ...more] = readCalls(dump);
    expect(more).toHaveLength(0);
    expect(add!.env).toMatchObject({
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'sandbox-2',
      CNI_NETNS: 'ns-guid',
      CNI_IFNAME: 'eth0',
    });
    expect(add!.stdin?.runtimeConfig).toEqual({
      portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '0.0.0.0' }],
      dns: { Servers: ['10.4.0.1'], Searches: ['svc.local'], Options: ['ndots:5'] },
    });
    // go-cni keeps its args in a map, so the order of CNI_ARGS pairs varies between runs.
    expect(add!.env.CNI_ARGS?.split(';').sort()).toEqual([
      'IgnoreUnknown=1',
      'K8S_POD_INFRA_CONTAINER_ID=sandbox-2',
      'K8S_POD_NAME=web-0',
      'K8S_POD_NAMESPACE=default',
      'K8S_POD_UID=uid-123',
    ]);
  });

  it('CHECK and Remove send the cached result as prevResult', () => {
    const { dump, args } = setup();
    expect(runDriver(GOCNI_DRIVER, ['setup', ...args]).status).toBe(0);
    clearCalls(dump);
    const run = runDriver(GOCNI_DRIVER, ['check,remove', ...args]);
    expect(run.status, run.stderr).toBe(0);
    const calls = readCalls(dump);
    expect(calls.map((c) => c.env.CNI_COMMAND)).toEqual(['CHECK', 'DEL']);
    for (const call of calls) {
      expect(call.stdin).toMatchObject({ cniVersion: '1.0.0', name: 'nat', type: 'fakenat', prevResult: result });
      expect(call.stdin?.runtimeConfig).toHaveProperty('portMappings.0.HostPort', 8080);
    }
  });

  it('Remove swallows a DEL error whose text contains "not found", and only that', () => {
    // containerd relies on this: a plugin that reports "not found" on DEL is treated as done.
    const swallowed = setup({ code: 7, msg: 'endpoint not found' });
    const ok = runDriver(GOCNI_DRIVER, ['remove', ...swallowed.args]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.step('remove').ok).toBe(true);
    expect(readCalls(swallowed.dump).map((c) => c.env.CNI_COMMAND)).toEqual(['DEL']);

    const failing = setup({ code: 11, msg: 'HNS busy' });
    const bad = runDriver(GOCNI_DRIVER, ['remove', ...failing.args]);
    expect(bad.status).toBe(1);
    expect(bad.step('remove').error).toMatchObject({
      code: 11,
      msg: 'HNS busy',
      text: 'plugin type="fakenat" failed (delete): HNS busy',
    });
  });
});
