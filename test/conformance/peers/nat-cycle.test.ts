/**
 * The nat plugin (dist/nat on the HNS simulator) driven by the real runtime libraries, with the
 * conflist nerdctl writes on Windows: go-cni as nerdctl/containerd call it, and libcni directly.
 * Asserts on the answers and on the HNS state the plugin left behind (dist/hns-sim dump).
 * NAT_CNI_PEERS_PLUGIN_DIR (a folder holding `nat`) and NAT_CNI_PEERS_HNS_SIM point it elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKey } from '../../../spec/keys';
import {
  GOCNI_DRIVER,
  LIBCNI_DRIVER,
  REPO,
  ensureDrivers,
  removeTempDirs,
  runDriver,
  tempDir,
  writeJson,
} from './peers';

// Overridable so the same suite can drive another build of the plugin (a folder holding `nat`).
const NAT = path.join(process.env.NAT_CNI_PEERS_PLUGIN_DIR ?? path.join(REPO, 'dist'), 'nat');
const HNS_SIM = process.env.NAT_CNI_PEERS_HNS_SIM ?? path.join(REPO, 'dist/hns-sim');
// The conflist nerdctl writes for its default network on Windows (nerdctl pkg/netutil, the Windows nat template).
const FIXTURE = path.join(REPO, 'test/fixtures/configs/nerdctl/nerdctl-nat.conflist');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function hnsSim(state: string, ...args: string[]): string {
  const res = spawnSync(HNS_SIM, ['--state', state, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`hns-sim ${args.join(' ')} exited ${res.status}: ${res.stderr}${res.stdout}`);
  return res.stdout;
}

function createNamespace(state: string): string {
  const guid = hnsSim(state, 'namespace', 'create').trim();
  if (!GUID.test(guid)) throw new Error(`hns-sim namespace create printed ${JSON.stringify(guid)}, not a GUID`);
  return guid;
}

// --- reading the simulator's dump without depending on its exact layout -----------------------

type Json = Record<string, unknown>;

function collectObjects(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) collectObjects(v, out);
  else if (typeof value === 'object' && value !== null) {
    out.push(value as Json);
    for (const v of Object.values(value)) collectObjects(v, out);
  }
  return out;
}

const sameId = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

function hnsState(state: string) {
  const objects = collectObjects(JSON.parse(hnsSim(state, 'dump')));
  return {
    /** Endpoints as nerdctl expects them: named <containerID>_<networkName>. */
    endpoints: (name: string) =>
      objects.filter((o) => getKey(o, 'Name') === name && getKey(o, 'Policies') !== undefined),
    namespace: (guid: string) => objects.find((o) => sameId(getKey(o, 'ID'), guid) && getKey(o, 'Name') === undefined),
  };
}

function portMappingPolicies(endpoint: Json): Json[] {
  const policies = (getKey(endpoint, 'Policies') ?? []) as Json[];
  return policies.filter((p) => getKey(p, 'Type') === 'PortMapping').map((p) => getKey(p, 'Settings') as Json);
}

/** The endpoint is attached to the namespace: either side may record the link. */
function isAttached(endpoint: Json, namespace: Json | undefined, netns: string): boolean {
  const epId = String(getKey(endpoint, 'ID'));
  return (
    sameId(getKey(endpoint, 'HostComputeNamespace'), netns) ||
    JSON.stringify(namespace ?? {})
      .toLowerCase()
      .includes(epId.toLowerCase())
  );
}

/** The fixture's subnet and gateway, so the assertions follow the fixture. */
function fixtureAddressing(): { inSubnet: (ip: string) => boolean; gateway: string } {
  const list = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as {
    plugins: { ipam: { subnet: string; routes: { gateway: string }[] } }[];
  };
  const ipam = list.plugins[0]!.ipam;
  const [base, bits] = ipam.subnet.split('/');
  const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toInt(base!) / size) * size;
  return { inSubnet: (ip) => toInt(ip) >= start && toInt(ip) < start + size, gateway: ipam.routes[0]!.gateway };
}

// --- the suite ----------------------------------------------------------------------------------

interface GocniSetup {
  Interfaces: Record<string, { IPConfigs: { IP: string; Gateway: string }[] } | undefined>;
}

describe('nat plugin driven by go-cni and libcni', () => {
  beforeAll(() => {
    ensureDrivers();
    if (!process.env.NAT_CNI_PEERS_PLUGIN_DIR)
      spawnSync('make', ['-s', 'dist/nat', 'dist/hns-sim'], { cwd: REPO, stdio: 'inherit' });
  });
  afterAll(() => removeTempDirs());

  function setup(withCapabilities: boolean) {
    const dir = tempDir('nat-cycle');
    const state = path.join(dir, 'hns');
    fs.mkdirSync(state);
    const netns = createNamespace(state);
    const list = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Json & { plugins: Json[] };
    // nerdctl's own conflist declares no capabilities, so libcni never passes runtimeConfig
    // (nerdctl#5157); the conflist nerdctl's CI and containerd's installer write declares both.
    if (withCapabilities) list.plugins[0] = { ...list.plugins[0], capabilities: { portMappings: true, dns: true } };
    const conflist = writeJson(path.join(dir, 'conf', 'nerdctl-nat.conflist'), list);
    const common = [
      '--plugin-dir',
      path.dirname(NAT),
      '--conflist',
      conflist,
      '--cache-dir',
      path.join(dir, 'cache'),
      '--netns',
      netns,
    ];
    return { state, netns, common, env: { NAT_CNI_HNS: `sim:${state}` } };
  }

  it('go-cni as nerdctl calls it, with the capabilities declared: port mapping lands on the endpoint', () => {
    const { state, netns, common, env } = setup(true);
    const cid = 'a1b2c3d4e5f6';
    const args = [
      ...common,
      '--container-id',
      cid,
      '--port-map',
      JSON.stringify([{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '0.0.0.0' }]),
    ];

    const setupRun = runDriver(GOCNI_DRIVER, ['setup,check', ...args], env);
    expect(setupRun.status, JSON.stringify(setupRun.lines)).toBe(0);
    // containerd's CRI needs eth0 with an IP, or the sandbox fails ("failed to find network info").
    const eth0 = (setupRun.step('setup').result as GocniSetup).Interfaces.eth0;
    expect(eth0?.IPConfigs).toHaveLength(1);
    const { inSubnet, gateway } = fixtureAddressing();
    expect(inSubnet(eth0!.IPConfigs[0]!.IP)).toBe(true);
    expect(eth0?.IPConfigs[0]?.Gateway).toBe(gateway);

    const hns = hnsState(state);
    const [endpoint, ...others] = hns.endpoints(`${cid}_nat`);
    expect(others).toHaveLength(0);
    expect(JSON.stringify(endpoint)).toContain(eth0?.IPConfigs[0]?.IP);
    expect(isAttached(endpoint!, hns.namespace(netns), netns)).toBe(true);
    const [mapping, ...moreMappings] = portMappingPolicies(endpoint!);
    expect(moreMappings).toHaveLength(0);
    expect(mapping).toMatchObject({ Protocol: 6, InternalPort: 80, ExternalPort: 8080 });

    const remove = runDriver(GOCNI_DRIVER, ['remove', ...args], env);
    expect(remove.status, JSON.stringify(remove.lines)).toBe(0);
    expect(hnsState(state).endpoints(`${cid}_nat`)).toHaveLength(0);
  });

  it("go-cni with nerdctl's conflist as written (no capabilities): no runtimeConfig, no port mapping", () => {
    const { state, common, env } = setup(false);
    const cid = 'f6e5d4c3b2a1';
    const args = [
      ...common,
      '--container-id',
      cid,
      '--port-map',
      JSON.stringify([{ HostPort: 8081, ContainerPort: 81, Protocol: 'tcp', HostIP: '0.0.0.0' }]),
    ];
    const run = runDriver(GOCNI_DRIVER, ['setup', ...args], env);
    expect(run.status, JSON.stringify(run.lines)).toBe(0);
    const [endpoint] = hnsState(state).endpoints(`${cid}_nat`);
    expect(endpoint).toBeDefined();
    expect(portMappingPolicies(endpoint!)).toEqual([]);
    expect(runDriver(GOCNI_DRIVER, ['remove', ...args], env).status).toBe(0);
  });

  it('libcni cycle with camelCase capability args: every step succeeds and DEL removes the endpoint', () => {
    const { state, common, env } = setup(true);
    const cid = 'libcni-nat-1';
    const args = [
      ...common,
      '--container-id',
      cid,
      '--args',
      'IgnoreUnknown=1',
      '--capability-args',
      JSON.stringify({
        portMappings: [{ hostPort: 9090, containerPort: 90, protocol: 'udp', hostIP: '' }],
        dns: { servers: ['192.0.2.53'] },
      }),
    ];
    const add = runDriver(LIBCNI_DRIVER, ['validate,version,add', ...args], env);
    expect(add.status, JSON.stringify(add.lines)).toBe(0);
    expect(add.step('validate').result).toEqual({ capabilities: ['dns', 'portMappings'] });
    const result = add.step('add').result as { cniVersion: string; ips: { address: string; gateway: string }[] };
    expect(result.cniVersion).toBe('1.0.0');
    const [ip, prefix] = (result.ips[0]?.address ?? '').split('/');
    expect(fixtureAddressing().inSubnet(ip!)).toBe(true);
    expect(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')).plugins[0].ipam.subnet).toMatch(new RegExp(`/${prefix}$`));

    const [endpoint] = hnsState(state).endpoints(`${cid}_nat`);
    expect(portMappingPolicies(endpoint!)).toEqual([
      expect.objectContaining({ Protocol: 17, InternalPort: 90, ExternalPort: 9090 }),
    ]);

    const rest = runDriver(LIBCNI_DRIVER, ['check,del', ...args], env);
    expect(rest.status, JSON.stringify(rest.lines)).toBe(0);
    expect(hnsState(state).endpoints(`${cid}_nat`)).toHaveLength(0);
  });
});
