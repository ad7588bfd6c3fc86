/**
 * The fake computenetwork library on its own: its export tables against the HCN exports hcsshim
 * declares (hcn/zsyscall_windows.go), and its argument checks, which must fail loudly (stderr + E_POINTER /
 * E_INVALIDARG) where a wrong FFI declaration would pass garbage. Each scenario runs in its own
 * process, as the plugin does, so that stderr can be read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFake, bundle, childEnv, removeBundles, startScriptedServer, type ScriptedServer } from './harness';

/** Section 1.2, written out. */
const HCN_EXPORTS = [
  ...['Network', 'Namespace', 'LoadBalancer', 'SdnRoute'].flatMap((s) => [
    `HcnEnumerate${s}s`,
    `HcnCreate${s}`,
    `HcnOpen${s}`,
    `HcnModify${s}`,
    `HcnQuery${s}Properties`,
    `HcnDelete${s}`,
    `HcnClose${s}`,
  ]),
  'HcnEnumerateEndpoints',
  'HcnCreateEndpoint',
  'HcnOpenEndpoint',
  'HcnModifyEndpoint',
  'HcnQueryEndpointProperties',
  'HcnDeleteEndpoint',
  'HcnCloseEndpoint',
  'HcnQueryEndpointStats',
  'HcnQueryEndpointAddresses',
  'HcnRegisterServiceCallback',
  'HcnUnregisterServiceCallback',
  'HcnRegisterGuestNetworkServiceCallback',
  'HcnUnregisterGuestNetworkServiceCallback',
  'HcnCreateGuestNetworkService',
  'HcnCloseGuestNetworkService',
  'HcnModifyGuestNetworkService',
  'HcnDeleteGuestNetworkService',
  'HcnReserveGuestNetworkServicePort',
  'HcnReserveGuestNetworkServicePortRange',
  'HcnReleaseGuestNetworkServicePortReservationHandle',
  'HcnEnumerateGuestNetworkPortReservations',
  'HcnFreeGuestNetworkPortReservations',
  'HNSCall',
  'FakeHcnOutstanding',
];

describe('export tables', () => {
  it('the .so exports exactly the section 1.2 list, HNSCall, FakeHcnOutstanding and CoTaskMemFree', () => {
    const so = buildFake('dist/libcomputenetwork.so');
    const nm = execFileSync('nm', ['-D', '--defined-only', so], { encoding: 'utf8' });
    const names = nm
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p[1] === 'T')
      .map((p) => p[2]);
    expect(new Set(names)).toEqual(new Set([...HCN_EXPORTS, 'CoTaskMemFree']));
  });

  it('the .dll exports exactly the section 1.2 list, HNSCall and FakeHcnOutstanding', () => {
    const dll = buildFake('dist/computenetwork.dll');
    const dump = execFileSync('x86_64-w64-mingw32-objdump', ['-p', dll], { encoding: 'utf8' });
    const table = dump.slice(dump.indexOf('[Ordinal/Name Pointer] Table'));
    const names = [...table.matchAll(/^\s*\[\s*\d+\]\s+(\S+)$/gm)].map((m) => m[1]);
    expect(new Set(names)).toEqual(new Set(HCN_EXPORTS));
    // On Windows the caller frees with ole32's CoTaskMemFree, which pairs with the DLL's CoTaskMemAlloc.
    expect(dump).toMatch(/DLL Name: ole32\.dll/i);
    expect(dump).toMatch(/CoTaskMemAlloc/);
  });
});

describe('argument checks at the C boundary', () => {
  let server: ScriptedServer;
  let so: string;

  beforeAll(async () => {
    so = buildFake('dist/libcomputenetwork.so');
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server?.stop();
    removeBundles();
  });

  function scenario(name: string) {
    const r = spawnSync(process.execPath, [bundle('fixtures/raw-calls.ts'), so, name], {
      env: childEnv({ NAT_CNI_HNS_SIM_ADDR: server.addr }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return { out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
  }
  const clean = { strings: 0, handles: 0 };

  it('reads the GUID struct with Data1-3 little-endian and Data4 in order', async () => {
    await server.reset();
    const { out } = scenario('guid-bytes');
    expect(out).toEqual({ hr: 0, record: null, outstanding: clean });
    expect(await server.log()).toEqual([{ fn: 'HcnDeleteNetwork', args: ['01234567-89ab-cdef-0123-456789abcdef'] }]);
  });

  it('a NULL GUID pointer: E_POINTER, loud, every out NULLed, no call made', async () => {
    await server.reset();
    const { out, stderr } = scenario('null-guid');
    expect(out).toEqual({ hr: 0x80004003, handle: null, record: null, outstanding: clean });
    expect(stderr).toMatch(/^fake computenetwork: HcnOpenNetwork: Id: NULL GUID pointer$/m);
    expect(await server.log()).toEqual([]);
  });

  it('NULL required out pointers: E_POINTER, loud', () => {
    const create = scenario('null-handle-out');
    expect(create.out).toEqual({ hr: 0x80004003, record: null, outstanding: clean });
    expect(create.stderr).toMatch(/^fake computenetwork: HcnCreateNetwork: created: NULL out pointer$/m);
    const enumerate = scenario('null-result-out');
    expect(enumerate.out).toEqual({ hr: 0x80004003, record: null, outstanding: clean });
    expect(enumerate.stderr).toMatch(/^fake computenetwork: HcnEnumerateNetworks: result: NULL out pointer$/m);
  });

  it('accepts ErrorRecord == NULL (_Outptr_opt_)', () => {
    const { out, stderr } = scenario('null-record-ok');
    expect(out).toEqual({
      hr: 0,
      result: JSON.stringify({ fn: 'HcnEnumerateNetworks', args: ['{"q":1}'] }),
      outstanding: clean,
    });
    expect(stderr).toBe('');
  });

  it('a string without a NUL within 16 MiB: E_INVALIDARG, loud', () => {
    const { out, stderr } = scenario('no-nul');
    expect(out).toEqual({ hr: 0x80070057, result: null, record: null, outstanding: clean });
    expect(stderr).toMatch(/^fake computenetwork: HcnEnumerateNetworks: Query: no terminating NUL/m);
  });

  it('handles it never returned, NULL, or of the wrong kind: E_INVALIDARG, loud; close releases once', () => {
    const bogus = scenario('bogus-handle');
    expect(bogus.out).toEqual({ hr: 0x80070057, record: null, closeNull: 0x80070057, outstanding: clean });
    expect(bogus.stderr).toMatch(
      /^fake computenetwork: HcnModifyNetwork: handle: 0x[0-9a-f]+ is not an open network handle/m,
    );
    expect(bogus.stderr).toMatch(/^fake computenetwork: HcnCloseNetwork: handle: .* is not an open network handle/m);
    const wrong = scenario('wrong-kind');
    expect(wrong.out).toEqual({
      opened: 0,
      hr: 0x80070057,
      record: null,
      closed: 0,
      again: 0x80070057,
      outstanding: clean,
    });
    expect(wrong.stderr).toMatch(
      /^fake computenetwork: HcnModifyEndpoint: handle: .* is a network handle, not a endpoint handle$/m,
    );
  });

  it('CoTaskMemFree refuses a second free of the same string, loudly, without crashing', () => {
    const { out, stderr } = scenario('double-free');
    expect(out).toEqual({ hr: 0, outstanding: clean });
    expect(stderr).toMatch(
      /^fake computenetwork: CoTaskMemFree: 0x[0-9a-f]+ was not allocated by this library or was already freed$/m,
    );
  });

  it('forwards the functions the simulator does not model and passes on its E_NOTIMPL', async () => {
    await server.reset();
    const notImpl = JSON.stringify({ Success: false, Error: 'Not implemented. ', ErrorCode: 0x80004001 });
    await server.script({
      HcnCreateLoadBalancer: [{ hr: 0x80004001 | 0, out: [null, notImpl] }],
      HcnEnumerateGuestNetworkPortReservations: [{ hr: 0x80004001 | 0, out: [notImpl] }],
    });
    const { out, stderr } = scenario('unmodeled');
    expect((await server.log()).map((r) => r.fn)).toEqual([
      'HcnCreateLoadBalancer',
      'HcnEnumerateGuestNetworkPortReservations',
    ]);
    expect(out).toMatchObject({
      lb: 0x80004001,
      handle: null,
      cb: 0x80004003,
      cbHandle: null,
      ports: 0x80004001,
      count: 0,
      entries: null,
      outstanding: clean,
    });
    expect(JSON.parse(out.record as string)).toMatchObject({ ErrorCode: 0x80004001 });
    expect(stderr).toMatch(/HcnRegisterServiceCallback: Callback: NULL function pointer/);
  });
});
