/** NAT_CNI_HNS: parsing, and a separate process choosing the FFI backend through it. */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHnsBackend } from '../../../hns/backend';
import { HnsError } from '../../../hns/errors';
import {
  buildFake,
  bundle,
  childEnv,
  deadPort,
  removeBundles,
  startScriptedServer,
  type ScriptedServer,
} from './harness';

describe('parseHnsBackend', () => {
  it('defaults to ffi on Windows and to nothing elsewhere (no silent simulator)', () => {
    expect(parseHnsBackend(undefined, 'win32')).toEqual({ kind: 'ffi' });
    expect(parseHnsBackend('', 'win32')).toEqual({ kind: 'ffi' });
    expect(parseHnsBackend(undefined, 'linux')).toBeUndefined();
    expect(parseHnsBackend('', 'darwin')).toBeUndefined();
  });

  it('reads ffi, ffi:<path> and sim:<dir>, keeping colons inside the value', () => {
    expect(parseHnsBackend('ffi', 'linux')).toEqual({ kind: 'ffi' });
    expect(parseHnsBackend('ffi:/opt/x/libcomputenetwork.so')).toEqual({
      kind: 'ffi',
      library: '/opt/x/libcomputenetwork.so',
    });
    expect(parseHnsBackend('ffi:C:\\fake\\computenetwork.dll')).toEqual({
      kind: 'ffi',
      library: 'C:\\fake\\computenetwork.dll',
    });
    expect(parseHnsBackend('sim:/var/tmp/hns')).toEqual({ kind: 'sim', stateDir: '/var/tmp/hns' });
  });

  it.each(['ffi:', 'sim:', 'sim', 'FFI', 'hcs:x', ' ffi'])('refuses %j with an HnsError naming the variable', (v) => {
    expect(() => parseHnsBackend(v)).toThrow(HnsError);
    expect(() => parseHnsBackend(v)).toThrow(/NAT_CNI_HNS/);
  });
});

describe('a plugin-like process on NAT_CNI_HNS=ffi:<fake>', () => {
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

  const run = (env: Record<string, string>, input: string) =>
    spawnSync(process.execPath, [bundle('fixtures/hcn-cli.ts')], { env: childEnv(env), input, encoding: 'utf8' });

  it('creates, queries and closes through the fake and the wire', async () => {
    await server.reset();
    const settings = JSON.stringify({ Name: 'nat-Grüße-网络-🚀' });
    const r = run({ NAT_CNI_HNS: `ffi:${so}`, NAT_CNI_HNS_SIM_ADDR: server.addr }, settings);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const log = await server.log();
    expect(log.map((x) => x.fn)).toEqual(['HcnCreateNetwork', 'HcnQueryNetworkProperties', 'HcnCloseNetwork']);
    expect(log[0]?.args).toEqual(['00000000-0000-0000-0000-000000000000', settings]);
    const props = JSON.parse((JSON.parse(r.stdout) as { properties: string }).properties) as { args: string[] };
    expect(props.args[0]).toBe(log[2]?.args[0]);
  });

  it('reports a stopped HNS as an HnsError with 0x800706BA', async () => {
    const r = run({ NAT_CNI_HNS: `ffi:${so}`, NAT_CNI_HNS_SIM_ADDR: `127.0.0.1:${await deadPort()}` }, '{}');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { call: 'HcnCreateNetwork', hresult: 0x800706ba } });
  });

  it('reports a missing library as an HnsError from LoadLibrary', () => {
    const r = run({ NAT_CNI_HNS: 'ffi:/nonexistent/libcomputenetwork.so' }, '{}');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { call: 'LoadLibrary', hresult: 0x8007007e } });
  });
});
