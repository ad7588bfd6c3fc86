/**
 * The whole FFI path against the real simulator: HcnApi over koffi -> the fake computenetwork
 * library -> `dist/hns-sim serve`. Objects created through the FFI path are visible to the
 * in-process simulator on the same state folder (one HNS model).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ZERO_GUID, type HcnApi } from '../../../hns/api';
import { HnsError } from '../../../hns/errors';
import { createFfiApi } from '../../../hns/ffi';
import { createSimApi } from '../../../hns/sim/api';
import { REPO, buildFake, outstandingCounter } from './harness';

let stateDir: string;
let sim: ChildProcess;
let api: HcnApi;
let outstanding: () => { strings: number; handles: number };

beforeAll(async () => {
  const so = buildFake('dist/libcomputenetwork.so');
  execFileSync('make', ['-s', 'dist/hns-sim'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ffi-sim-'));
  sim = spawn(path.join(REPO, 'dist/hns-sim'), ['--state', stateDir, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const addr = await new Promise<string>((resolve, reject) => {
    let seen = '';
    sim.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      const m = /listening (\S+)/.exec(seen);
      if (m?.[1]) resolve(m[1]);
    });
    sim.on('exit', (code) => reject(new Error(`hns-sim exited with ${code}`)));
  });
  process.env.NAT_CNI_HNS_SIM_ADDR = addr;
  outstanding = outstandingCounter(so);
  api = createFfiApi(so);
});

afterAll(async () => {
  api?.dispose();
  if (sim && sim.exitCode === null) {
    const exited = new Promise((resolve) => sim.once('exit', resolve));
    sim.kill('SIGTERM');
    await exited;
  }
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

const NAME = 'nat-Grüße-网络-🚀';
const network = {
  SchemaVersion: { Major: 2, Minor: 0 },
  Name: NAME,
  Type: 'NAT',
  Ipams: [
    {
      Type: 'Static',
      Subnets: [
        { IpAddressPrefix: '172.30.0.0/24', Routes: [{ NextHop: '172.30.0.1', DestinationPrefix: '0.0.0.0/0' }] },
      ],
    },
  ],
};
const v2 = JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 } });

it('runs hcsshim call sequences through the fake library and the simulator', () => {
  // HostComputeNetwork.Create(): create with the zero GUID, read the ID back, close.
  const h = api.network.create(ZERO_GUID, JSON.stringify(network));
  const created = JSON.parse(api.network.query(h, v2)) as { ID: string; Name: string };
  api.network.close(h);
  expect(created.Name).toBe(NAME);

  // GetNetworkByName: enumerate with a filter, then open/query/close each.
  const byName = JSON.stringify({ ...JSON.parse(v2), Filter: JSON.stringify({ Name: NAME }) });
  const ids = JSON.parse(api.network.enumerate(byName)) as string[];
  expect(ids.map((s) => s.toLowerCase())).toEqual([created.ID.toLowerCase()]);

  // network.CreateEndpoint(): open the network, create the endpoint on its handle.
  const nh = api.network.open(created.ID);
  const eh = api.endpoint.create(
    nh,
    ZERO_GUID,
    JSON.stringify({ SchemaVersion: { Major: 2, Minor: 0 }, Name: `${NAME}-ep` }),
  );
  const ep = JSON.parse(api.endpoint.query(eh, v2)) as { ID: string; HostComputeNetwork: string };
  api.endpoint.close(eh);
  api.network.close(nh);
  expect(ep.HostComputeNetwork.toLowerCase()).toBe(created.ID.toLowerCase());

  // The version, as hcsshim reads it (v1 HNSCall).
  const version = JSON.parse(api.hnsCall('GET', '/globals/version', '')) as {
    Success: boolean;
    Output: { Major: number };
  };
  expect(version.Success).toBe(true);
  expect(version.Output.Major).toBeGreaterThan(0);

  // The in-process simulator on the same folder sees what the FFI path made.
  const local = createSimApi(stateDir);
  try {
    expect((JSON.parse(local.endpoint.enumerate(v2)) as string[]).map((s) => s.toLowerCase())).toContain(
      ep.ID.toLowerCase(),
    );
  } finally {
    local.dispose();
  }

  // Not-found answers travel back as HnsErrors with HNS's HRESULTs.
  api.endpoint.delete(ep.ID);
  api.network.delete(created.ID);
  let notFound: unknown;
  try {
    api.network.open(created.ID);
  } catch (e) {
    notFound = e;
  }
  expect(notFound).toBeInstanceOf(HnsError);
  expect((notFound as HnsError).hresult).toBe(0x803b0001);
  expect(outstanding()).toEqual({ strings: 0, handles: 0 });
});
