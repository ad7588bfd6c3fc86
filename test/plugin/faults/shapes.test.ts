/**
 * The failure shapes of issue 9, each through dist/nat as a runtime runs it, with one fault injected
 * into the simulator behind it: what the plugin answers, and what HNS holds afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HR } from '../../../hns/errors';
import { addFault, clearFaults, readState } from '../../../hns/sim/admin';
import type { FaultSpec } from '../../../hns/sim/faults';
import { NAT, SimHost, buildPluginAndSim, natConfig, type Answer, type Invocation } from '../process/harness';
import { runPlugin, type PluginRun } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const V = '1.0.0';
const MAPPING = { runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] } };

let host: SimHost;
let netns: string;
let logFile: string;
beforeEach(() => {
  host = new SimHost();
  netns = host.createNamespace();
  logFile = path.join(host.stateDir, 'nat.log');
});
afterEach(() => host.remove());

const config = (extra: Record<string, unknown> = MAPPING) => natConfig(V, { logFile, ...extra });
const run = (command: string, extra?: Record<string, unknown>, inv: Partial<Invocation> = {}): Answer =>
  host.run({ command, containerId: 'c1', netns, ifName: 'eth0', config: config(extra), ...inv });
const pluginRun = (command: string, extra?: Record<string, unknown>): PluginRun => ({
  command,
  simDir: host.stateDir,
  containerId: 'c1',
  netns,
  ifName: 'eth0',
  config: config(extra),
});
const fault = (spec: FaultSpec) => addFault(host.stateDir, spec);
const endpoints = () => readState(host.stateDir).endpoints;
const attachedTo = (name: string) =>
  endpoints()
    .filter((e) => e.name === name)
    .map((e) => e.namespaceId ?? '(none)');
const logLines = (): Array<{ level: string; msg: string }> =>
  fs.existsSync(logFile)
    ? fs
        .readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];

const ok = (a: Answer) => expect({ code: a.code, stdout: a.stdout }).toMatchObject({ code: 0 });

describe('shape 1: a failed close after a successful create', () => {
  it.each([
    ['HcnCloseEndpoint', 1],
    ['HcnCloseNetwork', 2],
  ])('%s #%d: ADD succeeds with the endpoint attached, the close is a warning in the log', (fn, nth) => {
    fault({ fn, nth, hresult: HR.E_FAIL });
    ok(run('ADD'));
    expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
    expect(
      logLines()
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg),
    ).toContainEqual(expect.stringContaining(`${fn} failed`));
    ok(run('DEL'));
    expect(endpoints()).toEqual([]);
    // Host port 8080 is free for the next pod.
    ok(run('ADD', MAPPING, { containerId: 'c2', netns: host.createNamespace() }));
  });
});

describe('shape 2: a lost answer of HcnCreateEndpoint', () => {
  it('ADD fails and the endpoint HNS created under the GUID we chose is deleted; the retry succeeds', () => {
    fault({ fn: 'HcnCreateEndpoint', nth: 1, hresult: HR.E_FAIL, after: true });
    const a = run('ADD');
    expect(a.json?.code).toBe(100);
    expect(endpoints()).toEqual([]);
    ok(run('ADD'));
    expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
  });
});

describe('shape 3: DEL never reports success while the endpoint is still there', () => {
  it.each([
    'HcnDeleteEndpoint',
    'HcnOpenEndpoint',
    'HcnQueryEndpointProperties',
    'HcnCloseEndpoint',
    'HcnOpenNamespace',
    'HcnModifyNamespace',
  ])('ERROR_NOT_FOUND on %s during DEL', (fn) => {
    ok(run('ADD'));
    fault({ fn, nth: 1, hresult: HR.ERROR_NOT_FOUND });
    const del = run('DEL');
    ok(del);
    expect(endpoints()).toEqual([]);
  });

  it('a DEL whose delete keeps failing fails, and keeps saying so until HNS lets it', () => {
    ok(run('ADD'));
    fault({ fn: 'HcnDeleteEndpoint', hresult: HR.ERROR_NOT_FOUND });
    const del = run('DEL');
    expect(del.code).toBe(1);
    expect(del.json?.code).toBe(100);
    expect(endpoints().map((e) => e.name)).toEqual(['c1_nat']);
    clearFaults(host.stateDir);
    ok(run('DEL'));
    expect(endpoints()).toEqual([]);
  });
});

describe('shape 4: decisions from what HNS holds, not from one HRESULT', () => {
  it.each(['HcnOpenNamespace', 'HcnQueryNamespaceProperties', 'HcnCloseNamespace'])(
    'ERROR_NOT_FOUND on %s: the namespace exists, so ADD is not code 3 and succeeds',
    (fn) => {
      fault({ fn, nth: 1, hresult: HR.ERROR_NOT_FOUND });
      const a = run('ADD');
      expect(a.json?.code).not.toBe(3);
      ok(a);
      expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
    },
  );

  describe.each([
    ['with a port mapping', MAPPING],
    ['without port mappings', {}],
  ])('a repeated ADD %s', (_, extra) => {
    it.each(['HcnOpenEndpoint', 'HcnQueryEndpointProperties', 'HcnCloseEndpoint'])(
      'ERROR_NOT_FOUND on %s of the existing endpoint: the same attachment, one endpoint',
      (fn) => {
        const first = run('ADD', extra);
        ok(first);
        fault({ fn, nth: 1, hresult: HR.ERROR_NOT_FOUND });
        const again = run('ADD', extra);
        expect(again.json?.code).not.toBe(101);
        ok(again);
        expect(again.json).toEqual(first.json);
        expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
      },
    );
  });
});

describe('shape 5: the plugin as its own IPAM plugin', () => {
  let bin: string;
  beforeEach(() => {
    bin = path.join(host.stateDir, 'bin');
    fs.mkdirSync(bin);
  });
  const ipam = (type: string) => ({
    ...MAPPING,
    ipam: { type, subnet: '172.20.0.0/16', routes: [{ gateway: '172.20.0.1' }] },
  });

  it.each(['ADD', 'DEL', 'CHECK'])(
    '%s with ipam.type naming a link to dist/nat: code 7 at once, HNS untouched',
    (command) => {
      fs.symlinkSync(NAT, path.join(bin, 'nat'));
      const started = Date.now();
      const a = run(
        command,
        { ...ipam('nat'), ...(command === 'CHECK' ? { prevResult: { cniVersion: V, ips: [] } } : {}) },
        { path: bin },
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(a.json?.code).toBe(7);
      expect(String(a.json?.msg)).toContain('is this nat plugin itself');
      expect(readState(host.stateDir).networks.map((n) => n.name)).toEqual(command === 'ADD' ? [] : expect.anything());
      expect(endpoints()).toEqual([]);
    },
  );

  it('a hard link under another name is recognised too', () => {
    fs.linkSync(NAT, path.join(bin, 'ipam-alias'));
    const a = run('ADD', ipam('ipam-alias'), { path: bin });
    expect(a.json?.code).toBe(7);
    expect(readState(host.stateDir).networks).toEqual([]);
  });

  it.each(['ADD', 'DEL'])(
    '%s with ipam.type naming a copy of dist/nat: the copy refuses to delegate again, code 7',
    (command) => {
      fs.copyFileSync(NAT, path.join(bin, 'natcopy'));
      fs.chmodSync(path.join(bin, 'natcopy'), 0o755);
      const a = run(command, ipam('natcopy'), { path: bin });
      expect(a.json?.code).toBe(7);
      expect(String(a.json?.msg)).toContain('was run as the IPAM plugin of nat-cni');
      expect(endpoints()).toEqual([]);
    },
  );
});

describe('the IPAM lease is released whenever the endpoint is', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(host.stateDir, 'leases');
  });
  const withIpam = () => ({
    ...MAPPING,
    ipam: { type: 'host-local', subnet: '172.20.0.0/16', routes: [{ gateway: '172.20.0.1' }], dataDir },
  });
  const leases = () => {
    const d = path.join(dataDir, 'nat');
    return fs.existsSync(d) ? fs.readdirSync(d).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : [];
  };

  it('an ADD rolled back after the allocation releases it', () => {
    fault({ fn: 'HcnModifyNamespace', nth: 1, hresult: HR.E_FAIL });
    expect(run('ADD', withIpam()).json?.code).toBe(100);
    expect(endpoints()).toEqual([]);
    expect(leases()).toEqual([]);
  });

  it('a DEL that cannot delete the endpoint keeps the lease; the retried DEL releases both', () => {
    ok(run('ADD', withIpam()));
    const ip = endpoints()[0]?.ipConfigurations[0]?.IpAddress;
    expect(leases()).toEqual([ip]);
    fault({ fn: 'HcnDeleteEndpoint', nth: 1, hresult: HR.E_FAIL });
    expect(run('DEL', withIpam()).json?.code).toBe(100);
    expect(endpoints()).toHaveLength(1);
    expect(leases()).toEqual([ip]);
    ok(run('DEL', withIpam()));
    expect(endpoints()).toEqual([]);
    expect(leases()).toEqual([]);
  });

  it('a retried ADD after one killed between its allocation and its endpoint succeeds', async () => {
    // The first ADD hangs in the network open that precedes the endpoint create, after host-local
    // allocated; the runtime kills it. host-local refuses a second allocation for the same container.
    const f = fault({ fn: 'HcnOpenNetwork', nth: 1, hang: true });
    const killed = await runPlugin(pluginRun('ADD', withIpam()), f.id);
    expect(killed.killed).toBe(true);
    expect(leases()).toHaveLength(1);
    expect(endpoints()).toEqual([]);
    clearFaults(host.stateDir);
    ok(run('ADD', withIpam()));
    expect(leases()).toEqual([endpoints()[0]?.ipConfigurations[0]?.IpAddress]);
    ok(run('DEL', withIpam()));
    expect(leases()).toEqual([]);
  });
});

describe('an ADD killed half-way', () => {
  it('before its loopback DSR policy: the retry replaces the endpoint with one that has it', async () => {
    const dsr = { ...MAPPING, optionalFlags: { loopbackDSR: true } };
    const f = fault({ fn: 'HcnCreateEndpoint', nth: 1, hang: true, after: true });
    expect((await runPlugin(pluginRun('ADD', dsr), f.id)).killed).toBe(true);
    expect(endpoints().map((e) => e.policies.map((p) => p.Type))).toEqual([['PortMapping']]);
    clearFaults(host.stateDir);
    ok(run('ADD', dsr));
    expect(endpoints().map((e) => e.policies.map((p) => p.Type).sort())).toEqual([['OutBoundNAT', 'PortMapping']]);
    expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
  });

  it('in a hang while it holds the network lock and the simulator has just committed: the next call proceeds', async () => {
    const f = fault({ fn: 'HcnModifyNamespace', nth: 1, hang: true, after: true });
    const killed = await runPlugin(pluginRun('ADD'), f.id);
    expect(killed).toMatchObject({ killed: true, signal: 'SIGKILL' });
    clearFaults(host.stateDir);
    const started = Date.now();
    ok(run('ADD'));
    // Neither the dead process's network lock nor the simulator's state lock is waited for.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(attachedTo('c1_nat')).toEqual([netns.toLowerCase()]);
  });
});
