import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { HR, HnsError, errorRecordJson } from '../../../hns/errors';
import { writeQuery } from '../../../hns/schema';
import { addFault, callCounts, clearFaults, listFaults, readState, updateSettings } from '../../../hns/sim/admin';
import { createSimApi } from '../../../hns/sim/api';
import { bundle } from './bundle';
import { createEndpoint, createNetwork, enumerate, freshSim } from './helpers';

function hresultOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof HnsError) return e.hresult;
    throw e;
  }
}

describe('fault injection', () => {
  it('fails exactly the Nth next call of a function, with the given HRESULT and record', () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    addFault(dir, {
      fn: 'HcnCreateEndpoint',
      nth: 2,
      hresult: 0x803b0013,
      errorRecord: '{"Success":false,"Error":"custom ","ErrorCode":2151350291}',
    });
    createEndpoint(api, net.ID, { Name: 'first' });
    let err: HnsError | undefined;
    try {
      createEndpoint(api, net.ID, { Name: 'second' });
    } catch (e) {
      err = e as HnsError;
    }
    expect(err?.hresult).toBe(HR.HCN_E_PORT_ALREADY_EXISTS);
    expect(err?.errorRecord).toBe('{"Success":false,"Error":"custom ","ErrorCode":2151350291}');
    expect(err?.message).toBe('HcnCreateEndpoint failed: HCN_E_PORT_ALREADY_EXISTS (0x803B0013): custom');
    // The failed call had no effect, and the third call succeeds.
    expect(enumerate(api.endpoint, { Name: 'second' })).toEqual([]);
    createEndpoint(api, net.ID, { Name: 'third' });
    expect(listFaults(dir)[0]?.fired).toBe(1);
    expect(callCounts(dir).HcnCreateEndpoint).toBe(3);
  });

  it('fails every call without --nth until cleared; --after lets the call take effect', () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    addFault(dir, { fn: 'HcnEnumerateNetworks', hresult: HR.RPC_S_SERVER_UNAVAILABLE });
    expect(hresultOf(() => api.network.enumerate(writeQuery()))).toBe(HR.RPC_S_SERVER_UNAVAILABLE);
    expect(hresultOf(() => api.network.enumerate(writeQuery()))).toBe(HR.RPC_S_SERVER_UNAVAILABLE);
    clearFaults(dir);
    expect(JSON.parse(api.network.enumerate(writeQuery()))).toEqual([net.ID]);
    addFault(dir, { fn: 'HcnDeleteNetwork', nth: 1, hresult: HR.E_FAIL, after: true });
    expect(hresultOf(() => api.network.delete(net.ID))).toBe(HR.E_FAIL);
    expect(JSON.parse(api.network.enumerate(writeQuery()))).toEqual([]);
  });

  it('S_OK with a non-empty ErrorRecord is a failure for the client, as in hcsshim', () => {
    const { dir, api } = freshSim();
    addFault(dir, { fn: 'HcnEnumerateNetworks', nth: 1, hresult: 0, errorRecord: errorRecordJson(HR.E_FAIL) });
    const e = (() => {
      try {
        api.network.enumerate(writeQuery());
      } catch (x) {
        return x as HnsError;
      }
      return undefined;
    })();
    expect(e?.hresult).toBe(0);
    expect(e?.message).toBe('HcnEnumerateNetworks failed: S_OK (0x00000000): Unspecified error');
  });

  it('adds latency to calls', () => {
    const { dir, api } = freshSim();
    addFault(dir, { fn: 'HcnEnumerateNetworks', latencyMs: 150 });
    const t = Date.now();
    api.network.enumerate(writeQuery());
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });

  it('counts calls per function and logs their sequence when asked', () => {
    const { dir } = freshSim();
    updateSettings(dir, { recordCalls: true });
    const seen: string[] = [];
    const api = createSimApi(dir, { onCall: (fn, hr) => seen.push(`${fn}:${hr}`) });
    createNetwork(api);
    expect(seen).toEqual(['HcnCreateNetwork:0', 'HcnQueryNetworkProperties:0', 'HcnCloseNetwork:0']);
    expect(readState(dir).callLog.map((c) => c.fn)).toEqual([
      'HcnCreateNetwork',
      'HcnQueryNetworkProperties',
      'HcnCloseNetwork',
    ]);
  });
});

describe('a hung call', () => {
  let worker = '';
  beforeAll(() => {
    worker = bundle('test/hns/sim/worker.ts', 'worker.js');
  });

  it('blocks its process without holding the lock, until the process is killed', async () => {
    const { dir, api } = freshSim();
    const net = createNetwork(api);
    addFault(dir, { fn: 'HcnCreateEndpoint', nth: 1, hang: true, after: true });
    const p = spawn(process.execPath, [worker, dir, net.ID, '1', 'hung']);
    // The call took effect (after) and the process hangs; others still get through.
    const deadline = Date.now() + 10_000;
    while (enumerate(api.endpoint, { Name: 'hung-0' }).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(enumerate(api.endpoint, { Name: 'hung-0' })).toHaveLength(1);
    expect(p.exitCode).toBeNull();
    const exit = new Promise((r) => p.on('exit', (_code, signal) => r(signal)));
    p.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
    createEndpoint(api, net.ID, { Name: 'after-kill' });
  });
});
