/**
 * The nat profile: the project's NAT plugin (or any plugin speaking the same contract) against HNS.
 *
 * With `hns: 'simulator'` (the default) every run gets a fresh simulator state folder. The plugin
 * reaches it through NAT_CNI_HNS=sim:DIR, or with `hnsFfi` through an HCN library (the fake one) and
 * `hns-sim serve` on loopback: the real FFI path, nat.exe under Wine. State is read back through the
 * HCN API whenever the plugin talks to a library and the suite can load one here (hns-view.ts), else
 * from `hns-sim dump`.
 *
 * With `hns: 'host'` the suite uses the HNS that is already there, only through the HCN API: a real
 * Windows host (System32's computenetwork.dll), or a running `hns-sim serve` reached through the fake
 * library and NAT_CNI_HNS_SIM_ADDR. It then gives its networks names of its own (`natcni-conf-…`) and
 * a subnet no existing network overlaps, looks only at what it made, cannot inject faults (the cases
 * that need one skip), and removes everything it created when it closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFfiApi } from '../../hns/ffi';
import { type HnsObjects, type HnsView, hcnView, runSim, simulatorView } from './hns-view';
import type { Container, InvalidConfig, IpamDelegation, JsonObject, ProfileSession, RecordedCall } from './types';

export { collectObjects } from './hns-view';

export interface NatOptions {
  /** 'simulator' (a fresh one per run, the default) or 'host' (the HNS that is there, HCN API only). */
  hns?: 'simulator' | 'host';
  /** The simulator CLI (simulator mode). */
  hnsSim: string;
  /** The HCN library the plugin loads (NAT_CNI_HNS=ffi:<this>), as the plugin will open it. */
  hnsFfi?: string;
  /** How the suite reads HNS state; by default the HCN API when it can load a library, else the dump. */
  observe?: 'dump' | 'hcn';
  /** The HCN library the suite itself loads; by default `hnsFfi` when loadable here, else System32's on Windows. */
  observeLibrary?: string;
  /** The folder of the suite's bundle, where `make build` puts libcomputenetwork.so. */
  bundleDir?: string;
  /**
   * The delegated-IPAM mode: folders (CNI_PATH style) holding `recording-ipam` (required) and Debian's
   * `host-local` (optional). Without them the delegation cases skip.
   */
  ipamPath?: string[];
  /** The plugin's folder: first in the delegation cases' CNI_PATH, as in the suite's default one. */
  pluginDir?: string;
}

/** The recording IPAM plugin's type (test/fixtures/ipam/recording-ipam.ts, built into build/test-plugins). */
const RECORDING_IPAM = 'recording-ipam';

function findIn(dirs: readonly string[], name: string): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const d of dirs) for (const n of names) if (fs.existsSync(path.join(d, n))) return path.join(d, n);
  return undefined;
}

/**
 * The delegation mode's IPAM side, read and steered through the recording plugin's data folder (one per
 * network, under `root`): its calls.jsonl, its leases/ and its status.json.
 */
function ipamDelegation(
  ipamPath: readonly string[],
  pluginDir: string,
  root: string,
  base: (version: string, network: string) => JsonObject,
): IpamDelegation {
  if (!findIn(ipamPath, RECORDING_IPAM))
    throw new Error(
      `--ipam-path ${ipamPath.join(path.delimiter)} holds no ${RECORDING_IPAM} (make build/test-plugins/recording-ipam)`,
    );
  const dataDir = (config: JsonObject): string => {
    const ipam = config.ipam as JsonObject | undefined;
    const dir = ipam?.dataDir;
    if (typeof dir !== 'string') throw new Error('not a delegation config: ipam.dataDir is missing');
    return dir;
  };
  return {
    cniPath: [pluginDir, ...ipamPath].join(path.delimiter),
    hostLocal: findIn(ipamPath, 'host-local') !== undefined,
    config(version, network, plugin, extra = {}) {
      const config = base(version, network);
      const dir = path.join(root, `${plugin}-${network}`);
      fs.mkdirSync(dir, { recursive: true });
      const type = plugin === 'recording' ? RECORDING_IPAM : 'host-local';
      return { ...config, ipam: { ...(config.ipam as JsonObject), type, dataDir: dir, ...extra } };
    },
    calls(config) {
      const file = path.join(dataDir(config), 'calls.jsonl');
      if (!fs.existsSync(file)) return [];
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as RecordedCall);
    },
    leases(config) {
      const dir = path.join(dataDir(config), 'leases');
      return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    },
    dropLease(config, c, ifname = 'eth0') {
      fs.rmSync(path.join(dataDir(config), 'leases', `${c.containerId}_${ifname}`), { force: true });
    },
    failStatus(config, error) {
      const file = path.join(dataDir(config), 'status.json');
      if (error === undefined) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, JSON.stringify(error));
    },
  };
}

/** `hns-sim serve` on an ephemeral loopback port; resolves with the child and its HOST:PORT. */
function startSimServer(hnsSim: string, stateDir: string): Promise<{ child: ChildProcess; addr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(hnsSim, ['--state', stateDir, 'serve', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`hns-sim serve did not report its address within 20 s: ${out}`));
    }, 20_000);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`hns-sim serve exited with ${code}: ${out}`)));
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /listening (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, addr: m[1] });
      }
    });
  });
}

const lowerKeys = (o: JsonObject): Map<string, unknown> =>
  new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
const field = (o: JsonObject, name: string): unknown => lowerKeys(o).get(name.toLowerCase());
const str = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');

/** Endpoint ids attached to a namespace, from its resources list (HNS: Resources[].Data.Id). */
function attachedEndpointIds(ns: JsonObject): string[] {
  const text = JSON.stringify(ns).toLowerCase();
  return [...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((m) => m[0]);
}

/** A library this process can load: a .dll on Windows, a .so elsewhere. */
const loadableHere = (lib: string | undefined): lib is string =>
  lib !== undefined && fs.existsSync(lib) && (process.platform === 'win32' ? /\.dll$/i : /\.so(\.\d+)*$/).test(lib);

/** The library for hcnView: a path, undefined for the system's own (Windows), null when there is none. */
function observerLibrary(opts: NatOptions): string | undefined | null {
  if (opts.observeLibrary) return opts.observeLibrary;
  if (loadableHere(opts.hnsFfi)) return opts.hnsFfi;
  if (process.platform === 'win32') return opts.hnsFfi === undefined || opts.hns === 'host' ? undefined : null;
  // Under Wine the plugin opens a .dll; this process, on Linux, the .so that `make build` puts beside the bundle.
  const beside = opts.bundleDir ? path.join(opts.bundleDir, 'libcomputenetwork.so') : undefined;
  return loadableHere(beside) ? beside : null;
}

// ---- subnets ------------------------------------------------------------------------------------

const ipv4 = (s: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.some((p) => p > 255) ? undefined : parts.reduce((a, p) => a * 256 + p, 0);
};

/** [first, last] of an IPv4 CIDR, or undefined for anything else. */
function range(cidr: string): [number, number] | undefined {
  const [addr = '', bits = ''] = cidr.split('/');
  const base = ipv4(addr);
  const n = Number(bits);
  if (base === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined;
  const size = 2 ** (32 - n);
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

function prefixesOf(networks: readonly JsonObject[]): string[] {
  const text = JSON.stringify(networks);
  return [...text.matchAll(/"IpAddressPrefix"\s*:\s*"([^"]+)"/gi)].map((m) => m[1] ?? '');
}

/** The first /16 of 10.200.0.0–10.254.0.0 that no existing network overlaps: "A.B". */
function freeSixteen(networks: readonly JsonObject[]): string {
  const taken = prefixesOf(networks)
    .map(range)
    .filter((r): r is [number, number] => r !== undefined);
  for (let b = 200; b <= 254; b++) {
    const [lo, hi] = range(`10.${b}.0.0/16`) as [number, number];
    if (!taken.some(([x, y]) => x <= hi && lo <= y)) return `10.${b}`;
  }
  throw new Error(
    `no free /16 in 10.200.0.0-10.254.255.255 on this host (networks hold ${prefixesOf(networks).join(', ')})`,
  );
}

// ---- the profile --------------------------------------------------------------------------------

/** Windows variables a runtime passes on to its plugins (go-cni and libcni pass the whole environment). */
const WINDOWS_ENV = [
  'SystemRoot',
  'windir',
  'SystemDrive',
  'ProgramData',
  'ProgramFiles',
  'TEMP',
  'TMP',
  'ComSpec',
  'PATHEXT',
];

export async function openNatProfile(opts: NatOptions): Promise<ProfileSession> {
  const hostMode = opts.hns === 'host';
  if (!hostMode && !fs.existsSync(opts.hnsSim))
    throw new Error(`the nat profile needs the simulator CLI, not found at ${opts.hnsSim}`);
  const stateDir = hostMode ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'cni-conformance-nat-'));
  const server = !hostMode && opts.hnsFfi ? await startSimServer(opts.hnsSim, stateDir as string) : undefined;

  const library = observerLibrary(opts);
  const observe = opts.observe ?? (hostMode || (opts.hnsFfi !== undefined && library !== null) ? 'hcn' : 'dump');
  if (hostMode && observe !== 'hcn') throw new Error('--hns host reads HNS through the HCN API only (--observe hcn)');
  if (observe === 'hcn' && library === null) {
    throw new Error(
      `--observe hcn needs an HCN library this process can load (--observe-library; ${opts.hnsFfi ?? 'no --hns-ffi'} is not one)`,
    );
  }
  // The fake library finds `hns-sim serve` through this variable, in this process as in the plugin's.
  if (server) process.env.NAT_CNI_HNS_SIM_ADDR = server.addr;
  const view: HnsView =
    observe === 'hcn' ? hcnView(createFfiApi(library ?? undefined)) : simulatorView(opts.hnsSim, stateDir as string);

  const env: Record<string, string> = {};
  if (server) Object.assign(env, { NAT_CNI_HNS: `ffi:${opts.hnsFfi}`, NAT_CNI_HNS_SIM_ADDR: server.addr });
  else if (!hostMode) env.NAT_CNI_HNS = `sim:${stateDir}`;
  else {
    env.NAT_CNI_HNS = opts.hnsFfi ? `ffi:${opts.hnsFfi}` : 'ffi';
    for (const k of ['NAT_CNI_HNS_SIM_ADDR', ...(process.platform === 'win32' ? WINDOWS_ENV : [])]) {
      const v = process.env[k];
      if (v !== undefined) env[k] = v;
    }
  }

  // Host mode: names and a /16 of our own; one /24 of it per network name (NAT networks must not overlap).
  const namePrefix = hostMode ? 'natcni-' : '';
  const sixteen = hostMode ? freeSixteen((await view.objects()).networks) : '172.20';
  const subnets = new Map<string, number>();
  const subnetIndex = (network: string): number => {
    if (!subnets.has(network)) subnets.set(network, subnets.size % 256);
    return subnets.get(network) as number;
  };
  const ourNames = (): Set<string> => new Set([...subnets.keys()].map((n) => `${namePrefix}${n}`));
  const ourNamespaces = new Set<string>();
  let counter = 0;

  /** Host mode sees only what the suite made: its networks, their endpoints, its namespaces. */
  const visible = async (): Promise<HnsObjects> => {
    const all = await view.objects();
    if (!hostMode) return all;
    const names = ourNames();
    const networks = all.networks.filter((n) => names.has(String(field(n, 'Name'))));
    const networkIds = new Set(networks.map((n) => str(field(n, 'ID'))));
    return {
      networks,
      endpoints: all.endpoints.filter((e) => networkIds.has(str(field(e, 'HostComputeNetwork')))),
      namespaces: all.namespaces.filter((n) => ourNamespaces.has(str(field(n, 'ID')))),
    };
  };

  const footprint = async (c: Container): Promise<string[]> => {
    const d = await visible();
    const netns = c.netns.toLowerCase();
    const mine = d.namespaces.find((n) => str(field(n, 'id')) === netns);
    const attached = new Set(mine ? attachedEndpointIds(mine).filter((id) => id !== netns) : []);
    const isAttached = (e: JsonObject): boolean =>
      attached.has(str(field(e, 'id'))) || str(field(e, 'namespaceId')) === netns;
    return d.endpoints
      .filter((e) => str(field(e, 'name')).includes(c.containerId.toLowerCase()) || isAttached(e))
      .map(
        (e) =>
          `endpoint ${String(field(e, 'name'))} (${String(field(e, 'id'))})${isAttached(e) ? ' attached' : ' not attached'}`,
      );
  };

  /** Everything the suite made goes: endpoints (detached first), networks, namespaces. */
  async function removeOurs(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const d = await visible();
    for (const e of d.endpoints) {
      const id = String(field(e, 'ID'));
      const ns = str(field(e, 'HostComputeNamespace'));
      if (ns && !/^0{8}-/.test(ns)) await attempt(`detach endpoint ${id}`, () => view.detachEndpoint(ns, id));
      await attempt(`delete endpoint ${id}`, () => view.deleteEndpoint(id));
    }
    for (const n of d.networks)
      await attempt(`delete network ${String(field(n, 'Name'))}`, () => view.deleteNetwork(String(field(n, 'ID'))));
    for (const n of d.namespaces)
      await attempt(`delete namespace ${String(field(n, 'ID'))}`, () => view.deleteNamespace(String(field(n, 'ID'))));
    const left = await visible();
    const count = left.networks.length + left.endpoints.length + left.namespaces.length;
    if (count > 0) problems.push(`still there: ${JSON.stringify(left)}`);
    return problems;
  }

  const ipamRoot = opts.ipamPath ? fs.mkdtempSync(path.join(os.tmpdir(), 'cni-conformance-ipam-')) : undefined;
  const session: ProfileSession = {
    profile: 'nat',
    kind: 'interface',
    env,
    observes: true,
    config(version, network) {
      const i = subnetIndex(network);
      return {
        cniVersion: version,
        name: `${namePrefix}${network}`,
        type: 'nat',
        ipam: { subnet: `${sixteen}.${i}.0/24`, routes: [{ gateway: `${sixteen}.${i}.1` }] },
        capabilities: { portMappings: true, dns: true },
      };
    },
    async newContainer(tag) {
      counter += 1;
      const netns = await view.createNamespace();
      ourNamespaces.add(netns.toLowerCase());
      const id = `${tag.replace(/[^A-Za-z0-9_.-]/g, '-')}-${counter}-${crypto.randomBytes(6).toString('hex')}`.replace(
        /^[^A-Za-z0-9]/,
        'c',
      );
      return { containerId: id, netns };
    },
    async goneNetns() {
      return crypto.randomUUID();
    },
    footprint,
    async attachmentProblems(c) {
      const fp = await footprint(c);
      const attached = fp.filter((f) => f.endsWith(' attached'));
      if (fp.length !== 1 || attached.length !== 1)
        return `one endpoint attached to namespace ${c.netns}, found: ${fp.join('; ') || 'none'}`;
      return undefined;
    },
    async snapshot() {
      // Only the HNS objects: fault tables and call counters are the simulator's bookkeeping.
      return JSON.stringify(await visible());
    },
    ...(opts.ipamPath && ipamRoot
      ? { delegation: ipamDelegation(opts.ipamPath, opts.pluginDir ?? '', ipamRoot, (v, n) => session.config(v, n)) }
      : {}),
    async removeOutOfBand(c) {
      // What an operator or another tool does: detach and delete the endpoint, the network stays.
      const d = await visible();
      for (const e of d.endpoints) {
        if (!str(field(e, 'name')).includes(c.containerId.toLowerCase())) continue;
        const id = String(field(e, 'ID'));
        const ns = str(field(e, 'HostComputeNamespace'));
        if (ns && !/^0{8}-/.test(ns)) await view.detachEndpoint(ns, id);
        await view.deleteEndpoint(id);
      }
    },
    ...(stateDir === undefined
      ? {}
      : {
          async provokeOutage() {
            // Every HCN call fails as when the hns service is stopped: RPC_S_SERVER_UNAVAILABLE.
            await runSim(opts.hnsSim, stateDir, ['fault', 'add', '--fn', '*', '--hresult', '0x800706BA']);
            return {
              async undo() {
                await runSim(opts.hnsSim, stateDir, ['fault', 'clear']);
              },
            };
          },
          async provokeUndeletable() {
            // The next endpoint delete is refused (E_ACCESSDENIED); the ones after it go through.
            await runSim(opts.hnsSim, stateDir, [
              'fault',
              'add',
              '--fn',
              'HcnDeleteEndpoint',
              '--nth',
              '1',
              '--hresult',
              '0x80070005',
            ]);
            return {
              async undo() {
                await runSim(opts.hnsSim, stateDir, ['fault', 'clear']);
              },
            };
          },
          async provokeAddFailure(version: string, network: string) {
            // The fault applies to the next matching call (hns-sim fault add --nth 1).
            await runSim(opts.hnsSim, stateDir, [
              'fault',
              'add',
              '--fn',
              'HcnCreateEndpoint',
              '--nth',
              '1',
              '--hresult',
              '0x80070005',
            ]);
            return {
              config: session.config(version, network),
              async undo() {
                await runSim(opts.hnsSim, stateDir, ['fault', 'clear']);
              },
            };
          },
        }),
    invalidConfigs(version, network): InvalidConfig[] {
      const base = session.config(version, network);
      const rule = { strict: [7, 6] as const, compat: [7, 6, '>=100'] as const };
      return [
        { label: 'ipam.subnet 10.0.0.0/33', config: { ...base, ipam: { subnet: '10.0.0.0/33' } }, codes: rule },
        { label: '"ipam": 5', config: { ...base, ipam: 5 }, codes: rule },
      ];
    },
    describe: () => {
      const where = hostMode
        ? `the host's HNS (${opts.hnsFfi ? `plugin library ${opts.hnsFfi}` : 'System32'}), networks natcni-*, subnets ${sixteen}.0.0/16`
        : `simulator state in ${stateDir}${server ? `, served on ${server.addr} to ${opts.hnsFfi}` : ''}`;
      return `nat profile, ${where}, state read through the ${view.kind}${observe === 'hcn' ? ` (${library ?? 'System32 computenetwork.dll'})` : ''}`;
    },
    async close() {
      try {
        if (hostMode) {
          const problems = await removeOurs();
          if (problems.length > 0)
            throw new Error(`the nat profile could not remove what it created: ${problems.join('; ')}`);
        }
      } finally {
        view.close();
        if (server) {
          server.child.removeAllListeners('exit');
          const exited = new Promise((resolve) => server.child.once('exit', resolve));
          server.child.kill();
          await exited;
        }
        if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
        if (ipamRoot) fs.rmSync(ipamRoot, { recursive: true, force: true });
      }
    },
  };
  return session;
}
