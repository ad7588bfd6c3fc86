import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HR, HnsError } from '../../../hns/errors';
import { writeNetworkPolicyRequest, writeQuery } from '../../../hns/schema';
import { callCounts, dumpState, readState } from '../../../hns/sim/admin';
import { createSimCore } from '../../../hns/sim/core';
import { validateState } from '../../../hns/sim/state';
import { bundle } from './bundle';
import { createEndpoint, createNetwork, createSimApi, enumerate, freshSim, tempStateDir } from './helpers';

const folder = (dir: string) => path.join(dir, 'state.json');
const objectsFiles = (dir: string) => fs.readdirSync(folder(dir)).filter((f) => f.startsWith('objects.'));
const stamp = (file: string) => {
  const st = fs.statSync(file);
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
};
const only = (dir: string): string => {
  const files = objectsFiles(dir);
  expect(files).toHaveLength(1);
  return path.join(folder(dir), files[0] ?? '');
};

describe('the state folder layout', () => {
  it('keeps counters apart: read-only calls leave the objects file untouched, mutating ones replace it', () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    const objects = only(dir);
    const before = stamp(objects);
    const core = createSimCore(dir);
    const h = core.invoke('HcnOpenNetwork', [net.ID]).outs[0] ?? '';
    expect(core.invoke('HcnQueryNetworkProperties', [h, writeQuery()]).hresult).toBe(0);
    expect(core.invoke('HcnEnumerateEndpoints', [writeQuery()]).outs[0]).toBe('[]');
    expect(core.invoke('HcnCloseNetwork', [h]).hresult).toBe(0);
    expect(core.invoke('HNSCall', ['GET', '/globals/version', '']).hresult).toBe(0);
    // A failed read is counted too, and changes no object either.
    expect(core.invoke('HcnOpenEndpoint', ['11111111-2222-4333-8444-555555555555']).hresult).toBe(
      HR.HCN_E_ENDPOINT_NOT_FOUND,
    );
    expect(only(dir)).toBe(objects);
    expect(stamp(objects)).toBe(before);
    expect(callCounts(dir)).toMatchObject({
      HcnOpenNetwork: 1,
      HcnQueryNetworkProperties: 2,
      HcnEnumerateEndpoints: 1,
      HNSCall: 1,
      HcnOpenEndpoint: 1,
    });

    createEndpoint(api, net.ID, { Name: 'one' });
    const after = only(dir);
    expect(after).not.toBe(objects);
    expect(fs.existsSync(objects)).toBe(false);
    expect(fs.readdirSync(folder(dir)).sort()).toEqual(['meta.json', path.basename(after)].sort());
  });

  it('writes compact JSON; dump stays complete and valid', () => {
    const { dir, api } = freshSim({ recordCalls: true });
    createNetwork(api);
    for (const f of fs.readdirSync(folder(dir)))
      expect(fs.readFileSync(path.join(folder(dir), f), 'utf8')).not.toContain('\n');
    const state = validateState(readState(dir));
    expect(state.networks).toHaveLength(1);
    expect(state.callLog.map((c) => c.fn)).toEqual([
      'HcnCreateNetwork',
      'HcnQueryNetworkProperties',
      'HcnCloseNetwork',
    ]);
    expect(dumpState(dir).networks).toHaveLength(1);
  });

  it('undoes a failed mutating call in the process that made it, as the copy it ran on was dropped before', () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    const objects = only(dir);
    const before = stamp(objects);
    const policy = { Type: 'NetAdapterName', Settings: { NetworkAdapterName: 'Ethernet' } };
    const h = api.network.open(net.ID);
    let err: unknown;
    try {
      // The model adds the first policy, then finds the second one already there and fails.
      api.network.modify(h, writeNetworkPolicyRequest('Add', [policy, policy]));
    } catch (e) {
      err = e;
    }
    expect((err as HnsError).hresult).toBe(HR.HCN_E_POLICY_ALREADY_EXISTS);
    expect(JSON.parse(api.network.query(h, writeQuery())).Policies).toEqual([]);
    api.network.close(h);
    expect(only(dir)).toBe(objects);
    expect(stamp(objects)).toBe(before);
    expect(readState(dir).networks[0]?.policies).toEqual([]);
  });

  it('sees what another process changed, though it keeps objects in memory', () => {
    const worker = bundle('test/hns/sim/worker.ts', 'worker.js');
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    expect(enumerate(api.endpoint)).toEqual([]);
    const r = spawnSync(process.execPath, [worker, dir, net.ID, '2', 'other'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(enumerate(api.endpoint)).toHaveLength(2);
    createEndpoint(api, net.ID, { Name: 'mine' });
    expect(enumerate(api.endpoint)).toHaveLength(3);
    expect(callCounts(dir).HcnCreateEndpoint).toBe(3);
  });
});

describe('a state folder of the previous format (one state.json file)', () => {
  let legacy = '';
  beforeAll(() => {
    // Written by the previous simulator: pretty-printed, format 1, counters and objects together.
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    const state = readState(dir);
    legacy = JSON.stringify({ ...state, calls: { HcnCreateNetwork: 5 } }, null, 1);
    expect(net.ID).toBeTruthy();
  });

  it('is read as it is, then converted by the first call', () => {
    const dir = tempStateDir();
    fs.writeFileSync(path.join(dir, 'state.json'), legacy);
    expect(readState(dir).networks).toHaveLength(1);
    expect(callCounts(dir)).toEqual({ HcnCreateNetwork: 5 });
    const api = createSimApi(dir);
    expect(enumerate(api.network)).toHaveLength(1);
    expect(fs.statSync(folder(dir)).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
    expect(callCounts(dir)).toEqual({ HcnCreateNetwork: 5, HcnEnumerateNetworks: 1 });
  });

  it('keeps the default namespace a failed call created, and only that, from the saved objects', () => {
    const dir = tempStateDir();
    const old = JSON.parse(legacy) as { namespaces: unknown[]; networks: { id: string }[] };
    const write = () => fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...old, namespaces: [] }));
    write();
    // What the failed call itself saved, before any later call could add a default namespace again.
    let savedByFailure: ReturnType<typeof readState> | undefined;
    const api = createSimApi(dir, {
      onCall: (fn) => void (fn === 'HcnModifyNetwork' && (savedByFailure = readState(dir))),
    });
    const h = api.network.open(old.networks[0]?.id ?? '');
    // The handle stays valid; the folder goes back to no namespace at all, so that the failing call is
    // the one that adds the default namespace.
    fs.rmSync(path.join(dir, 'state.json'), { recursive: true });
    write();
    const policy = { Type: 'NetAdapterName', Settings: { NetworkAdapterName: 'Ethernet' } };
    expect(() => api.network.modify(h, writeNetworkPolicyRequest('Add', [policy, policy]))).toThrow(HnsError);
    expect(savedByFailure?.networks[0]?.policies).toEqual([]);
    expect(savedByFailure?.namespaces.filter((n) => n.isDefault)).toHaveLength(1);
    api.network.close(h);
    const state = readState(dir);
    expect(state.namespaces).toEqual(savedByFailure?.namespaces);
    expect(state.namespaces.filter((n) => n.isDefault)).toHaveLength(1);
    const id = state.namespaces[0]?.id;
    expect(enumerate(api.namespace).map((x) => x.toLowerCase())).toEqual([id]);
  });

  it('refuses a file that is no simulator state, telling to reset', () => {
    const dir = tempStateDir();
    fs.writeFileSync(path.join(dir, 'state.json'), '{"format":7}');
    expect(() => readState(dir)).toThrow(/not a simulator state .*reset/);
  });
});
