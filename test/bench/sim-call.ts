/**
 * Benchmark: the HNS simulator's per-call cost on a small state and on a large one (300 namespaces,
 * 50 endpoints, one of them with ~1 MB of pass-through policies). It PRINTS medians; it asserts nothing.
 *
 *   node_modules/.bin/esbuild test/bench/sim-call.ts --bundle --platform=node --target=node20 \
 *     --log-level=warning --outfile=/tmp/sim-call.js && node /tmp/sim-call.js
 *
 * Figures per state size, in ms: the median of one read-only call (HcnQueryNamespaceProperties on an
 * open handle, HcnEnumerateNetworks), one mutating call (HcnCreateNamespace / HcnDeleteNamespace,
 * alternating) and a separate process making a plugin-like sequence of 20 calls (first call included,
 * node start-up excluded).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ZERO_GUID } from '../../hns/guid';
import { writeEndpointRequest, writeNetworkRequest, writeQuery } from '../../hns/schema';
import { createSimApi } from '../../hns/sim/api';
import { createSimCore } from '../../hns/sim/core';

const QUERY = writeQuery();
const NS_REQUEST = '{"SchemaVersion":{"Major":2,"Minor":0}}';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function timeEach(n: number, fn: (i: number) => void): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** A NAT network, `namespaces` namespaces, `endpoints` endpoints; the last one carries `padBytes` of policies. */
function populate(dir: string, namespaces: number, endpoints: number, padBytes: number): string {
  const api = createSimApi(dir);
  const h = api.network.create(
    ZERO_GUID,
    writeNetworkRequest({
      Name: 'bench',
      Type: 'NAT',
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            {
              IpAddressPrefix: '10.88.0.0/16',
              Flags: 0,
              Routes: [{ NextHop: '10.88.0.1', DestinationPrefix: '0.0.0.0/0' }],
            },
          ],
        },
      ],
    }),
  );
  const netId = (JSON.parse(api.network.query(h, QUERY)) as { ID: string }).ID;
  for (let i = 0; i < namespaces; i++) api.namespace.close(api.namespace.create(ZERO_GUID, NS_REQUEST));
  for (let i = 0; i < endpoints; i++) {
    const last = i === endpoints - 1 && padBytes > 0;
    // Pass-through policies (a type the model keeps as sent), as the conformance suite's large config leaves.
    const policies = last
      ? Array.from({ length: Math.ceil(padBytes / 1024) }, (_, k) => ({
          Type: 'L4Proxy' as const,
          Settings: { Port: String(k), Pad: 'p'.repeat(1000) },
        }))
      : [];
    api.endpoint.close(
      api.endpoint.create(
        h,
        ZERO_GUID,
        writeEndpointRequest({ Name: `ep${i}`, HostComputeNetwork: netId, Policies: policies }),
      ),
    );
  }
  api.network.close(h);
  return netId;
}

function stateBytes(dir: string): number {
  let total = 0;
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) walk(path.join(p, f));
    else total += st.size;
  };
  walk(dir);
  return total;
}

/** The child: a plugin-like sequence of 20 calls in a fresh process; prints its in-process time. */
function child(dir: string, netId: string): void {
  const api = createSimApi(dir);
  const t = process.hrtime.bigint();
  for (let i = 0; i < 4; i++) {
    api.hnsCall('GET', '/globals/version', '');
    const n = api.network.open(netId);
    api.network.query(n, QUERY);
    api.network.close(n);
    api.endpoint.enumerate(writeQuery({ filter: { Name: 'nope' } }));
  }
  fs.writeSync(1, String(Number(process.hrtime.bigint() - t) / 1e6));
}

function measure(
  label: string,
  namespaces: number,
  endpoints: number,
  padBytes: number,
  n: number,
): Record<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-bench-'));
  const netId = populate(dir, namespaces, endpoints, padBytes);
  const core = createSimCore(dir);
  const nsId = JSON.parse(core.invoke('HcnEnumerateNamespaces', [QUERY]).outs[0] ?? '[]')[0] as string;
  const nsHandle = core.invoke('HcnOpenNamespace', [nsId]).outs[0] ?? '0';
  const query = timeEach(n, () => core.invoke('HcnQueryNamespaceProperties', [nsHandle, QUERY]));
  const enumerate = timeEach(n, () => core.invoke('HcnEnumerateNetworks', [QUERY]));
  // Each mutating call is timed alone; the query and close that fetch a new namespace's ID are not.
  const mutating: number[] = [];
  const timed = <T>(fn: () => T): T => {
    const t = process.hrtime.bigint();
    const r = fn();
    mutating.push(Number(process.hrtime.bigint() - t) / 1e6);
    return r;
  };
  for (let i = 0; i < n / 2; i++) {
    const h = timed(() => core.invoke('HcnCreateNamespace', [ZERO_GUID, NS_REQUEST])).outs[0] ?? '0';
    const id = (JSON.parse(core.invoke('HcnQueryNamespaceProperties', [h, QUERY]).outs[0] ?? '{}') as { ID: string })
      .ID;
    core.invoke('HcnCloseNamespace', [h]);
    timed(() => core.invoke('HcnDeleteNamespace', [id]));
  }
  const mutate = median(mutating);
  const procs: number[] = [];
  for (let i = 0; i < Math.max(3, n / 20); i++) {
    const r = spawnSync(process.execPath, [__filename, 'child', dir, netId], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    procs.push(Number(r.stdout));
  }
  const figures = { stateKB: Math.round(stateBytes(dir) / 1024), query, enumerate, mutate, process20: median(procs) };
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `${label.padEnd(6)} ${JSON.stringify(figures, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`,
  );
  return figures;
}

if (process.argv[2] === 'child') {
  child(process.argv[3] ?? '', process.argv[4] ?? '');
} else {
  console.log(
    'median ms per call (mutate: one HcnCreateNamespace or HcnDeleteNamespace); process20: 20 calls in a fresh process',
  );
  const small = measure('small', 3, 2, 0, 200);
  const large = measure('large', 300, 50, 1 << 20, 60);
  const ratio = (k: keyof typeof small) => Math.round((large[k]! / small[k]!) * 10) / 10;
  console.log(
    `large/small: query ${ratio('query')}x, enumerate ${ratio('enumerate')}x, mutate ${ratio('mutate')}x, process20 ${ratio('process20')}x`,
  );
}
