/**
 * HcnApi over koffi (hns/ffi) against the fake computenetwork library (hns/sim/fake), which forwards
 * each call to a scripted protocol server running in its own process. After every test the fake must
 * report no out-string left unfreed and no handle left open.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HcnApi, HcnHandle } from '../../../hns/api';
import { ZERO_GUID } from '../../../hns/api';
import { HnsError } from '../../../hns/errors';
import { createFfiApi } from '../../../hns/ffi';
import {
  REPO,
  buildFake,
  deadPort,
  outstandingCounter,
  record,
  removeBundles,
  signed,
  startScriptedServer,
  type ScriptedServer,
} from './harness';

const GUID = '01234567-89ab-cdef-0123-456789abcdef';
const NAME = 'nat-Grüße-网络-🚀';
const HCN_E_NETWORK_NOT_FOUND = 0x803b0001;
const E_INVALIDARG = 0x80070057;
const E_UNEXPECTED = 0x8000ffff;
const E_HANDLE = 0x80070006;
const RPC_S_SERVER_UNAVAILABLE = 0x800706ba;

let server: ScriptedServer;
let api: HcnApi;
let outstanding: () => { strings: number; handles: number };
let library: string;

/** Runs `fn` expecting an HnsError and returns it. */
function hnsError(fn: () => unknown): HnsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HnsError);
    return e as HnsError;
  }
  throw new Error('expected an HnsError, got none');
}

beforeAll(async () => {
  library = buildFake('dist/libcomputenetwork.so');
  outstanding = outstandingCounter(library);
  server = await startScriptedServer();
  process.env.NAT_CNI_HNS_SIM_ADDR = server.addr;
  api = createFfiApi(library);
});

afterAll(async () => {
  api?.dispose();
  await server?.stop();
  removeBundles();
});

beforeEach(async () => {
  process.env.NAT_CNI_HNS_SIM_ADDR = server.addr;
  await server.reset();
});

afterEach(() => {
  expect(outstanding()).toEqual({ strings: 0, handles: 0 });
});

describe('round trips through the wire', () => {
  it('creates, queries and closes a network, passing the GUID text, settings and handle exactly', async () => {
    const settings = JSON.stringify({ Name: NAME, Type: 'NAT' });
    const h = api.network.create(GUID, settings);
    const props = JSON.parse(api.network.query(h, '{"SchemaVersion":{"Major":2,"Minor":0}}')) as {
      fn: string;
      args: string[];
    };
    api.network.close(h);
    const log = await server.log();
    expect(log.map((r) => r.fn)).toEqual(['HcnCreateNetwork', 'HcnQueryNetworkProperties', 'HcnCloseNetwork']);
    expect(log[0]?.args).toEqual([GUID, settings]);
    const handleId = log[1]?.args[0];
    expect(handleId).toMatch(/^[1-9]\d*$/);
    expect(props).toEqual({
      fn: 'HcnQueryNetworkProperties',
      args: [handleId, '{"SchemaVersion":{"Major":2,"Minor":0}}'],
    });
    expect(log[2]?.args).toEqual([handleId]);
  });

  it('lays the GUID struct out as Windows does (Data1-3 little-endian, Data4 in order), any input case', async () => {
    api.network.delete(GUID.toUpperCase());
    api.network.delete(ZERO_GUID);
    api.namespace.delete('ffffffff-0000-0001-8000-00000000000f');
    const log = await server.log();
    expect(log.map((r) => r.args[0])).toEqual([GUID, ZERO_GUID, 'ffffffff-0000-0001-8000-00000000000f']);
  });

  it('round-trips non-ASCII text both ways, including astral characters', async () => {
    const query = JSON.stringify({ Filter: JSON.stringify({ Name: NAME }) });
    const echoed = JSON.parse(api.network.enumerate(query)) as { args: string[] };
    expect(echoed.args).toEqual([query]);
    await server.script({ HcnEnumerateEndpoints: [{ hr: 0, out: [JSON.stringify([NAME, 'ü', '𝄞']), null] }] });
    expect(JSON.parse(api.endpoint.enumerate('{}'))).toEqual([NAME, 'ü', '𝄞']);
    const err = JSON.stringify({
      Success: false,
      Error: `Netz ${NAME} nicht gefunden. `,
      ErrorCode: HCN_E_NETWORK_NOT_FOUND,
    });
    await server.script({ HcnEnumerateNetworks: [{ hr: signed(HCN_E_NETWORK_NOT_FOUND), out: [null, err] }] });
    expect(hnsError(() => api.network.enumerate('{}')).errorRecord).toBe(err);
  });

  it('creates an endpoint with the network handle first, then the id and settings', async () => {
    const net = api.network.open(GUID);
    const ep = api.endpoint.create(net, ZERO_GUID, '{"Name":"ep"}');
    api.endpoint.close(ep);
    api.network.close(net);
    const log = await server.log();
    const netId = log[1]?.args[0];
    expect(log[0]).toEqual({ fn: 'HcnOpenNetwork', args: [GUID] });
    expect(log[1]).toEqual({ fn: 'HcnCreateEndpoint', args: [netId, ZERO_GUID, '{"Name":"ep"}'] });
    expect(log[3]).toEqual({ fn: 'HcnCloseNetwork', args: [netId] });
    expect(log[2]?.fn).toBe('HcnCloseEndpoint');
    expect(log[2]?.args[0]).not.toBe(netId);
  });

  it('passes HNSCall through and returns the response envelope', async () => {
    const response = JSON.parse(api.hnsCall('GET', '/globals/version', '')) as unknown;
    expect(response).toEqual({ Success: true, Output: { args: ['GET', '/globals/version', ''] } });
  });
});

type Family = 'network' | 'endpoint' | 'namespace';
const families: Family[] = ['network', 'endpoint', 'namespace'];
const title = (f: Family) => f[0]!.toUpperCase() + f.slice(1);

/** Every HcnApi call: the export it reaches, and how to invoke it with a fresh handle where needed. */
function calls(f: Family): { fn: string; run: (api: HcnApi) => unknown; needs?: Family }[] {
  const T = title(f);
  const fam = (a: HcnApi) => a[f];
  return [
    { fn: `HcnEnumerate${T}s`, run: (a) => fam(a).enumerate('{}') },
    { fn: `HcnOpen${T}`, run: (a) => fam(a).open(GUID) },
    { fn: `HcnModify${T}`, run: (a) => fam(a).modify(withHandle(a, f), '{}'), needs: f },
    { fn: `HcnQuery${T}Properties`, run: (a) => fam(a).query(withHandle(a, f), '{}'), needs: f },
    { fn: `HcnDelete${T}`, run: (a) => fam(a).delete(GUID) },
    {
      fn: `HcnCreate${T}`,
      run: (a) =>
        f === 'endpoint' ? a.endpoint.create(withHandle(a, 'network'), ZERO_GUID, '{}') : a[f].create(ZERO_GUID, '{}'),
      ...(f === 'endpoint' ? { needs: 'network' as const } : {}),
    },
  ];
}

// Handles opened for a call under test, closed after it.
const opened: { f: Family; h: HcnHandle }[] = [];
function withHandle(a: HcnApi, f: Family): HcnHandle {
  const h = a[f].open(GUID);
  opened.push({ f, h });
  return h;
}
function closeOpened(a: HcnApi): void {
  for (const { f, h } of opened.splice(0)) a[f].close(h);
}
const closeResult = (a: HcnApi, f: Family, r: unknown) => {
  if (typeof r === 'object' && r !== null) a[f].close(r as HcnHandle);
};

describe.each(families)('%s calls: success and failure', (f) => {
  it.each(calls(f))('$fn succeeds and frees its ErrorRecord-less outputs', async ({ fn, run }) => {
    const r = run(api);
    closeResult(api, f, r);
    closeOpened(api);
    expect((await server.log()).map((x) => x.fn)).toContain(fn);
  });

  it.each(calls(f))('$fn failure throws HnsError with the HRESULT and the ErrorRecord', async ({ fn, run }) => {
    const rec = record(HCN_E_NETWORK_NOT_FOUND, 'The network was not found. ');
    const outs = /^Hcn(Enumerate|Query|Create|Open)/.test(fn) ? [null, rec] : [rec];
    await server.script({ [fn]: [{ hr: signed(HCN_E_NETWORK_NOT_FOUND), out: outs }] });
    const e = hnsError(() => run(api));
    closeOpened(api);
    expect(e.call).toBe(fn);
    expect(e.hresult).toBe(HCN_E_NETWORK_NOT_FOUND);
    expect(e.errorRecord).toBe(rec);
  });

  it.each(calls(f))('$fn: a non-empty ErrorRecord with S_OK is a failure (hcsshim rule)', async ({ fn, run }) => {
    const rec = record(0x80004005, 'Something odd. ');
    const outs = /^Hcn(Enumerate|Query)/.test(fn) ? ['[]', rec] : /^Hcn(Create|Open)/.test(fn) ? ['77', rec] : [rec];
    await server.script({ [fn]: [{ hr: 0, out: outs }] });
    const e = hnsError(() => run(api));
    closeOpened(api);
    expect(e.call).toBe(fn);
    expect(e.errorRecord).toBe(rec);
    // A Create/Open that "succeeded" handed out a handle: the binding closes it rather than leak it.
    if (/^Hcn(Create|Open)/.test(fn)) {
      const closes = (await server.log()).filter((x) => /^HcnClose/.test(x.fn)).map((x) => x.args[0]);
      expect(closes).toContain('77');
    }
  });
});

describe('empty and NULL outputs', () => {
  it('returns an empty result string as ""', async () => {
    await server.script({ HcnEnumerateNetworks: [{ hr: 0, out: ['', null] }] });
    expect(api.network.enumerate('{}')).toBe('');
  });

  it('accepts an empty ErrorRecord on success', async () => {
    await server.script({ HcnQueryNamespaceProperties: [{ hr: 0, out: ['{"ID":"x"}', ''] }] });
    const h = api.namespace.open(GUID);
    try {
      expect(api.namespace.query(h, '{}')).toBe('{"ID":"x"}');
    } finally {
      api.namespace.close(h);
    }
  });

  it('fails with the HRESULT alone when the failure comes without an ErrorRecord', async () => {
    await server.script({ HcnDeleteEndpoint: [{ hr: signed(0x803b0002), out: [null] }] });
    const e = hnsError(() => api.endpoint.delete(GUID));
    expect(e.hresult).toBe(0x803b0002);
    expect(e.errorRecord).toBeUndefined();
  });

  it('treats success with a NULL result as E_UNEXPECTED (the fake refuses to return it)', async () => {
    await server.script({ HcnEnumerateNetworks: [{ hr: 0, out: [null, null] }] });
    expect(hnsError(() => api.network.enumerate('{}')).hresult).toBe(E_UNEXPECTED);
  });

  it('treats a malformed server answer as E_UNEXPECTED', async () => {
    await server.script({ HcnDeleteNetwork: [{ raw: '0:,1:' }], HcnOpenNetwork: [{ hr: 0, out: ['abc', null] }] });
    expect(hnsError(() => api.network.delete(GUID)).hresult).toBe(E_UNEXPECTED);
    expect(hnsError(() => api.network.open(GUID)).hresult).toBe(E_UNEXPECTED);
  });

  it('passes HNSCall failures on with the response text', async () => {
    await server.script({
      HNSCall: [{ hr: signed(0x80070490), out: ['{"Success":false,"Error":"Element not found. "}'] }],
    });
    const e = hnsError(() => api.hnsCall('GET', '/namespaces/x', ''));
    expect(e.hresult).toBe(0x80070490);
    expect(e.errorRecord).toContain('Element not found.');
  });
});

describe('argument checks', () => {
  it('refuses an invalid GUID before calling the library', async () => {
    const e = hnsError(() => api.network.open('{' + GUID + '}'));
    expect(e.hresult).toBe(0x803b0019);
    expect(await server.log()).toEqual([]);
  });

  it('refuses a string with an embedded NUL before calling the library', async () => {
    expect(hnsError(() => api.network.enumerate('{"a":"\0"}')).hresult).toBe(E_INVALIDARG);
    expect(await server.log()).toEqual([]);
  });

  it('a lone surrogate reaches the fake, which refuses it with E_INVALIDARG', async () => {
    expect(hnsError(() => api.network.enumerate('{"Name":"\uD83D"}')).hresult).toBe(E_INVALIDARG);
    expect(hnsError(() => api.network.create(ZERO_GUID, '\uDE80')).hresult).toBe(E_INVALIDARG);
    expect(await server.log()).toEqual([]);
  });

  it('refuses closed, wrong-kind and foreign handles with E_HANDLE', async () => {
    const other = createFfiApi(library);
    try {
      const h = api.network.open(GUID);
      expect(hnsError(() => api.endpoint.modify(h, '{}')).hresult).toBe(E_HANDLE);
      expect(hnsError(() => other.network.query(h, '{}')).hresult).toBe(E_HANDLE);
      api.network.close(h);
      expect(hnsError(() => api.network.close(h)).hresult).toBe(E_HANDLE);
      expect(hnsError(() => api.network.query(h, '{}')).hresult).toBe(E_HANDLE);
    } finally {
      other.dispose();
    }
  });

  it('consumes the handle even when Close fails', async () => {
    const h = api.namespace.open(GUID);
    await server.script({ HcnCloseNamespace: [{ hr: signed(0x80070006), out: [] }] });
    expect(hnsError(() => api.namespace.close(h)).hresult).toBe(E_HANDLE);
    expect(hnsError(() => api.namespace.close(h)).hresult).toBe(E_HANDLE);
  });
});

describe('server down', () => {
  it('answers RPC_S_SERVER_UNAVAILABLE with an ErrorRecord, for every kind of call', async () => {
    const h = api.network.open(GUID);
    process.env.NAT_CNI_HNS_SIM_ADDR = `127.0.0.1:${await deadPort()}`;
    for (const run of [
      () => api.network.enumerate('{}'),
      () => api.namespace.create(ZERO_GUID, '{}'),
      () => api.network.query(h, '{}'),
      () => api.endpoint.delete(GUID),
      () => api.hnsCall('GET', '/globals/version', ''),
    ]) {
      const e = hnsError(run);
      expect(e.hresult).toBe(RPC_S_SERVER_UNAVAILABLE);
    }
    const e = hnsError(() => api.network.modify(h, '{}'));
    expect(JSON.parse(e.errorRecord ?? '')).toEqual({
      Success: false,
      Error: 'The RPC server is unavailable. ',
      ErrorCode: RPC_S_SERVER_UNAVAILABLE,
    });
    // Closing still releases the handle, although the server cannot hear it.
    expect(hnsError(() => api.network.close(h)).hresult).toBe(RPC_S_SERVER_UNAVAILABLE);
  });
});

describe('dispose', () => {
  it('makes every later call fail with E_HANDLE', () => {
    const a = createFfiApi(library);
    a.dispose();
    expect(hnsError(() => a.network.enumerate('{}')).hresult).toBe(E_HANDLE);
    expect(hnsError(() => a.hnsCall('GET', '/', '')).hresult).toBe(E_HANDLE);
  });
});

describe('loading', () => {
  it('loads a library without the optional NI exports (older Windows) and works', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-pre-ni-'));
    try {
      const preNi = path.join(dir, 'libcomputenetwork.so');
      execFileSync('gcc', [
        '-shared',
        '-fPIC',
        '-O2',
        '-fvisibility=hidden',
        '-DFAKE_PRE_NI',
        '-o',
        preNi,
        path.join(REPO, 'hns/sim/fake/computenetwork.c'),
      ]);
      expect(execFileSync('nm', ['-D', '--defined-only', preNi], { encoding: 'utf8' })).not.toMatch(
        /HcnQueryEndpointStats/,
      );
      const old = createFfiApi(preNi);
      const count = outstandingCounter(preNi);
      try {
        const h = old.endpoint.open(GUID);
        expect(JSON.parse(old.endpoint.query(h, '{}'))).toMatchObject({ fn: 'HcnQueryEndpointProperties' });
        old.endpoint.close(h);
        expect(count()).toEqual({ strings: 0, handles: 0 });
      } finally {
        old.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a library that lacks a required export, naming it', () => {
    const e = hnsError(() => createFfiApi('libc.so.6'));
    expect(e.hresult).toBe(0x8007007f);
    expect(e.call).toBe('CoTaskMemFree');
  });

  it('refuses a library that does not exist', () => {
    const e = hnsError(() => createFfiApi('/nonexistent/libcomputenetwork.so'));
    expect(e.call).toBe('LoadLibrary');
    expect(e.hresult).toBe(0x8007007e);
  });
});
