import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimApi } from '../../../hns/sim/api';
import { bundle } from './bundle';
import { createNetwork, enumerate, getNamespace, tempStateDir } from './helpers';

let cli = '';
beforeAll(() => {
  cli = bundle('hns/sim/cli.ts', 'hns-sim');
});

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('hns-sim CLI', () => {
  it('namespace create prints the ID HNS writes, and the namespace exists for the plugin', () => {
    const dir = tempStateDir();
    const r = run('--state', dir, 'namespace', 'create');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}$/);
    expect(getNamespace(createSimApi(dir), id)).toEqual({ ID: id, SchemaVersion: { Major: 0, Minor: 0 } });
    const given = run('--state', dir, 'namespace', 'create', '--id', 'abcdef01-2345-4678-9abc-def012345678');
    expect(given.stdout.trim()).toBe('ABCDEF01-2345-4678-9ABC-DEF012345678');
    const again = run('--state', dir, 'namespace', 'create', '--id', 'abcdef01-2345-4678-9abc-def012345678');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('HcnCreateNamespace failed: ERROR_ALREADY_EXISTS (0x800700B7)');
  });

  it('dump shows objects as HNS would, and reset forgets them', () => {
    const dir = tempStateDir();
    const net = createNetwork(createSimApi(dir));
    const dump = JSON.parse(run('--state', dir, 'dump').stdout);
    expect(dump.networks).toEqual([net]);
    expect(dump.namespaces).toHaveLength(1);
    expect(dump.calls).toMatchObject({ HcnCreateNetwork: 1 });
    expect(JSON.parse(run('--state', dir, 'dump', '--raw').stdout).networks[0].id).toBe(net.ID);
    expect(run('--state', dir, 'reset').code).toBe(0);
    expect(JSON.parse(run('--state', dir, 'dump').stdout).networks).toEqual([]);
  });

  it('settings set validates keys and values, and the model follows them', () => {
    const dir = tempStateDir();
    expect(JSON.parse(run('--state', dir, 'settings', 'set', 'hnsVersion', '15.1').stdout).hnsVersion).toBe('15.1');
    expect(JSON.parse(run('--state', dir, 'settings', 'set', 'networkIdCase', 'upper').stdout).networkIdCase).toBe(
      'upper',
    );
    expect(JSON.parse(run('--state', dir, 'settings', 'show').stdout)).toMatchObject({
      hnsVersion: '15.1',
      networkIdCase: 'upper',
    });
    const api = createSimApi(dir);
    expect(JSON.parse(api.hnsCall('GET', '/globals/version', '')).Output).toEqual({ Major: 15, Minor: 1 });
    expect(createNetwork(api).ID).toMatch(/^[0-9A-F-]{36}$/);
    const bad = run('--state', dir, 'settings', 'set', 'nope', '1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown setting "nope"');
    expect(run('--state', dir, 'settings', 'set', 'hnsVersion', 'fifteen').code).toBe(1);
    expect(run('--state', dir, 'reset', '--all').code).toBe(0);
    expect(JSON.parse(run('--state', dir, 'settings', 'show').stdout).hnsVersion).toBe('13.3');
  });

  it('fault add / list / clear drive the next calls', () => {
    const dir = tempStateDir();
    const added = run(
      '--state',
      dir,
      'fault',
      'add',
      '--fn',
      'HcnEnumerateNetworks',
      '--nth',
      '1',
      '--hresult',
      '0x803B0001',
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 1, fn: 'HcnEnumerateNetworks', at: 1, hresult: 0x803b0001 });
    run('--state', dir, 'fault', 'add', '--fn', 'HcnOpenNetwork', '--latency-ms', '5');
    expect(JSON.parse(run('--state', dir, 'fault', 'list').stdout)).toHaveLength(2);
    const api = createSimApi(dir);
    expect(() => api.network.enumerate('{}')).toThrow(
      'HcnEnumerateNetworks failed: HCN_E_NETWORK_NOT_FOUND (0x803B0001)',
    );
    expect(enumerate(api.network)).toEqual([]);
    run('--state', dir, 'fault', 'clear');
    expect(JSON.parse(run('--state', dir, 'fault', 'list').stdout)).toEqual([]);
    expect(JSON.parse(run('--state', dir, 'calls').stdout)).toEqual({ HcnEnumerateNetworks: 2 });
    expect(run('--state', dir, 'fault', 'add', '--fn', 'X').code).toBe(2);
  });

  it('--help, and usage errors exit 2', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: hns-sim --state DIR <command>');
    expect(run().code).toBe(2);
    const noState = run('dump');
    expect(noState.code).toBe(2);
    expect(noState.stderr).toContain('--state DIR is required');
    expect(run('--state', tempStateDir(), 'frobnicate').stderr).toContain('unknown command "frobnicate"');
    expect(run('--state', tempStateDir(), 'serve', '--listen', 'nowhere').code).toBe(2);
  });
});
