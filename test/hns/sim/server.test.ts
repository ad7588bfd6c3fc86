import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HR, toSigned } from '../../../hns/errors';
import { ZERO_GUID } from '../../../hns/guid';
import { writeEndpointRequest, writeNamespaceEndpointRequest, writeQuery } from '../../../hns/schema';
import { addFault } from '../../../hns/sim/admin';
import {
  decodeFields,
  decodeRequest,
  encodeFields,
  encodeResponse,
  decodeResponse,
  WireError,
} from '../../../hns/sim/wire';
import { bundle } from './bundle';
import { NAT_NETWORK, tempStateDir } from './helpers';
import { rawCall, wireCall } from './wire-client';
import { writeNetworkRequest } from '../../../hns/schema';

describe('wire encoding', () => {
  it('round-trips fields, NULLs and UTF-8', () => {
    const fields = ['HcnCreateNetwork', '', null, 'réseau 網絡 😀', 'a,b:c'];
    const buf = encodeFields(fields);
    expect(buf.toString('utf8').startsWith('16:HcnCreateNetwork,0:,-1:,')).toBe(true);
    expect(decodeFields(buf)).toEqual(fields);
    expect(decodeResponse(encodeResponse({ hresult: 0x803b0001, outs: [null, 'x'] }))).toEqual({
      hresult: 0x803b0001,
      outs: [null, 'x'],
    });
    expect(encodeResponse({ hresult: 0x803b0001, outs: [] }).toString()).toBe('11:-2143617023,1:0,');
  });

  it('rejects malformed input', () => {
    expect(() => decodeFields(Buffer.from('5:abc,'))).toThrow(WireError);
    expect(() => decodeFields(Buffer.from('3:abc'))).toThrow(WireError);
    expect(() => decodeFields(Buffer.from('x:abc,'))).toThrow(WireError);
    expect(() => decodeFields(Buffer.from([0x31, 0x3a, 0xff, 0x2c]))).toThrow(WireError);
    expect(() => decodeRequest(encodeFields(['HcnOpenNetwork', '2', 'x']))).toThrow(WireError);
  });
});

describe('hns-sim serve', () => {
  let cli = '';
  let proc: ChildProcess;
  let addr = '';
  const dir = tempStateDir();

  beforeAll(async () => {
    cli = bundle('hns/sim/cli.ts', 'hns-sim');
    proc = spawn(process.execPath, [cli, '--state', dir, 'serve', '--listen', '127.0.0.1:0']);
    addr = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (d) => {
        out += d;
        const m = /^listening (127\.0\.0\.1:\d+)\n/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      proc.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
  });

  afterAll(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });

  it('answers SimPing', async () => {
    expect(await wireCall(addr, 'SimPing', [])).toEqual({ hresult: 0, outs: [] });
  });

  it('runs the hcsshim sequences with handles from its table', async () => {
    const created = await wireCall(addr, 'HcnCreateNetwork', [ZERO_GUID, writeNetworkRequest(NAT_NETWORK)]);
    expect(created.hresult).toBe(0);
    const [netHandle, record] = created.outs;
    expect(netHandle).toMatch(/^[1-9]\d*$/);
    expect(record).toBeNull();
    const props = await wireCall(addr, 'HcnQueryNetworkProperties', [netHandle ?? '', writeQuery()]);
    const network = JSON.parse(props.outs[0] ?? '') as { ID: string };
    expect(await wireCall(addr, 'HcnCloseNetwork', [netHandle ?? ''])).toEqual({ hresult: 0, outs: [] });

    const listed = await wireCall(addr, 'HcnEnumerateNetworks', [writeQuery({ filter: { Name: 'natNetwork' } })]);
    expect(listed).toEqual({ hresult: 0, outs: [JSON.stringify([network.ID]), null] });

    const open = await wireCall(addr, 'HcnOpenNetwork', [network.ID]);
    const ep = await wireCall(addr, 'HcnCreateEndpoint', [
      open.outs[0] ?? '',
      ZERO_GUID,
      writeEndpointRequest({ Name: 'c1_natNetwork', HostComputeNetwork: network.ID }),
    ]);
    expect(ep.hresult).toBe(0);
    const epProps = JSON.parse(
      (await wireCall(addr, 'HcnQueryEndpointProperties', [ep.outs[0] ?? '', writeQuery()])).outs[0] ?? '',
    );
    expect(epProps.IpConfigurations).toEqual([{ IpAddress: '192.168.100.2', PrefixLength: 24 }]);

    const ns = await wireCall(addr, 'HcnCreateNamespace', [ZERO_GUID, '{"SchemaVersion":{"Major":0,"Minor":0}}']);
    const modify = await wireCall(addr, 'HcnModifyNamespace', [
      ns.outs[0] ?? '',
      writeNamespaceEndpointRequest('Add', epProps.ID),
    ]);
    expect(modify).toEqual({ hresult: 0, outs: [null] });
    const version = await wireCall(addr, 'HNSCall', ['GET', '/globals/version', '']);
    expect(JSON.parse(version.outs[0] ?? '')).toEqual({ Success: true, Output: { Major: 13, Minor: 3 } });
  });

  it('answers failures with the HRESULT and an ErrorRecord in the OUT shape of the export', async () => {
    const open = await wireCall(addr, 'HcnOpenNamespace', [ZERO_GUID]);
    expect(open.hresult).toBe(HR.ERROR_NOT_FOUND);
    expect(open.outs[0]).toBeNull();
    expect(JSON.parse(open.outs[1] ?? '')).toMatchObject({ Success: false, ErrorCode: 0x80070490 });
    expect((await wireCall(addr, 'HcnDeleteEndpoint', ['11111111-2222-4333-8444-555555555555'])).hresult).toBe(
      HR.HCN_E_ENDPOINT_NOT_FOUND,
    );
    expect(await wireCall(addr, 'HcnCloseEndpoint', ['999999'])).toEqual({ hresult: HR.E_HANDLE, outs: [] });
    const lb = await wireCall(addr, 'HcnCreateLoadBalancer', [ZERO_GUID, '{}']);
    expect(lb.hresult).toBe(HR.E_NOTIMPL);
    expect(lb.outs[0]).toBeNull();
    expect(JSON.parse(lb.outs[1] ?? '').ErrorCode).toBe(HR.E_NOTIMPL);
    expect((await wireCall(addr, 'HcnDeleteSdnRoute', [ZERO_GUID])).outs).toHaveLength(1);
    expect(await wireCall(addr, 'HcnCreateNetwork', [ZERO_GUID, null])).toMatchObject({ hresult: HR.E_POINTER });
    const garbage = decodeResponse(await rawCall(addr, Buffer.from('not a request')));
    expect(garbage.hresult).toBe(HR.E_INVALIDARG);
    expect(toSigned(garbage.hresult)).toBeLessThan(0);
  });

  it('keeps serving other calls while one call hangs', async () => {
    addFault(dir, { fn: 'HcnEnumerateEndpoints', nth: 1, hang: true });
    const [host, port] = addr.split(':');
    const hung = net.connect({ host, port: Number(port) }, () =>
      hung.end(Buffer.from('21:HcnEnumerateEndpoints,1:1,2:{},')),
    );
    let answered = false;
    hung.on('data', () => (answered = true));
    await new Promise((r) => setTimeout(r, 200));
    expect((await wireCall(addr, 'SimPing', [])).hresult).toBe(0);
    expect((await wireCall(addr, 'HcnEnumerateEndpoints', ['{}'])).hresult).toBe(0);
    expect(answered).toBe(false);
    hung.destroy();
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
