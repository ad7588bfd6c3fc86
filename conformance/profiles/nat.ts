/**
 * The nat profile: the project's NAT plugin (or any plugin speaking the same contract) against the
 * HNS simulator. Every run gets a fresh simulator state folder; the container is an HNS namespace
 * created the way containerd creates it (`hns-sim namespace create` prints its GUID, which becomes
 * CNI_NETNS); the plugin reaches the simulator through NAT_CNI_HNS=sim:DIR, or with `hnsFfi` through
 * a fake HCN library and `hns-sim serve` on loopback (the real FFI path; nat.exe under Wine); effects are read back
 * from `hns-sim dump`. The dump is read tolerantly (keys in any case, objects either in arrays or in
 * id-keyed maps) because its exact layout belongs to the simulator, not to this suite.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isObject } from '../judge';
import type { Container, InvalidConfig, JsonObject, ProfileSession } from './types';

export interface NatOptions {
  hnsSim: string;
  /** The HCN library the plugin loads (NAT_CNI_HNS=ffi:<this>); it forwards to `hns-sim serve`. */
  hnsFfi?: string;
}

/** `hns-sim serve` on an ephemeral loopback port; resolves with the child and its HOST:PORT. */
function startSimServer(hnsSim: string, stateDir: string): Promise<{ child: ChildProcess; addr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(hnsSim, ['--state', stateDir, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

function sim(hnsSim: string, stateDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(hnsSim, ['--state', stateDir, ...args], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`hns-sim ${args.join(' ')}: ${err.message} ${stderr.trim()}`));
      else resolve(stdout);
    });
  });
}

const lowerKeys = (o: JsonObject): Map<string, unknown> => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));

/** Every object stored under a key matching `key` (e.g. "endpoints"), as an array or an id-keyed map. */
export function collectObjects(dump: unknown, key: RegExp): JsonObject[] {
  const out: JsonObject[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (!isObject(v) || depth > 3) return;
    for (const [k, x] of Object.entries(v)) {
      if (key.test(k)) {
        if (Array.isArray(x)) out.push(...x.filter(isObject));
        else if (isObject(x)) out.push(...Object.values(x).filter(isObject));
      } else visit(x, depth + 1);
    }
  };
  visit(dump, 0);
  return out;
}

const field = (o: JsonObject, name: string): unknown => lowerKeys(o).get(name.toLowerCase());
const str = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');

/** Endpoint ids attached to a namespace, from its resources list (HNS: Resources[].Data.Id). */
function attachedEndpointIds(ns: JsonObject): string[] {
  const text = JSON.stringify(ns).toLowerCase();
  return [...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((m) => m[0]);
}

export async function openNatProfile(opts: NatOptions): Promise<ProfileSession> {
  if (!fs.existsSync(opts.hnsSim)) throw new Error(`the nat profile needs the simulator CLI, not found at ${opts.hnsSim}`);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cni-conformance-nat-'));
  const run = (args: string[]): Promise<string> => sim(opts.hnsSim, stateDir, args);
  const dump = async (): Promise<unknown> => JSON.parse(await run(['dump'])) as unknown;
  const server = opts.hnsFfi ? await startSimServer(opts.hnsSim, stateDir) : undefined;
  const backendEnv: Record<string, string> = server
    ? { NAT_CNI_HNS: `ffi:${opts.hnsFfi}`, NAT_CNI_HNS_SIM_ADDR: server.addr }
    : { NAT_CNI_HNS: `sim:${stateDir}` };
  let counter = 0;
  // One /24 of 172.20.0.0/16 per network name: NAT networks on one host must not overlap.
  const subnets = new Map<string, number>();
  const subnetIndex = (network: string): number => {
    if (!subnets.has(network)) subnets.set(network, subnets.size % 256);
    return subnets.get(network) as number;
  };

  const footprint = async (c: Container): Promise<string[]> => {
    const d = await dump();
    const netns = c.netns.toLowerCase();
    const namespaces = collectObjects(d, /^namespaces?$/i);
    const mine = namespaces.find((n) => str(field(n, 'id')) === netns);
    const attached = new Set(mine ? attachedEndpointIds(mine).filter((id) => id !== netns) : []);
    const isAttached = (e: JsonObject): boolean => attached.has(str(field(e, 'id'))) || str(field(e, 'namespaceId')) === netns;
    return collectObjects(d, /^endpoints?$/i)
      .filter((e) => str(field(e, 'name')).includes(c.containerId.toLowerCase()) || isAttached(e))
      .map((e) => `endpoint ${String(field(e, 'name'))} (${String(field(e, 'id'))})${isAttached(e) ? ' attached' : ' not attached'}`);
  };

  const session: ProfileSession = {
    profile: 'nat',
    kind: 'interface',
    env: backendEnv,
    observes: true,
    config(version, network) {
      return {
        cniVersion: version,
        name: network,
        type: 'nat',
        ipam: { subnet: `172.20.${subnetIndex(network)}.0/24`, routes: [{ gateway: `172.20.${subnetIndex(network)}.1` }] },
        capabilities: { portMappings: true, dns: true },
      };
    },
    async newContainer(tag) {
      counter += 1;
      const netns = (await run(['namespace', 'create'])).trim();
      const id = `${tag.replace(/[^A-Za-z0-9_.-]/g, '-')}-${counter}-${crypto.randomBytes(6).toString('hex')}`.replace(/^[^A-Za-z0-9]/, 'c');
      return { containerId: id, netns };
    },
    async goneNetns() {
      return crypto.randomUUID();
    },
    footprint,
    async attachmentProblems(c) {
      const fp = await footprint(c);
      const attached = fp.filter((f) => f.endsWith(' attached'));
      if (fp.length !== 1 || attached.length !== 1) return `one endpoint attached to namespace ${c.netns}, found: ${fp.join('; ') || 'none'}`;
      return undefined;
    },
    async snapshot() {
      const d = await dump();
      // Only the HNS objects: fault tables and call counters are the simulator's bookkeeping.
      return JSON.stringify({
        networks: collectObjects(d, /^networks?$/i),
        endpoints: collectObjects(d, /^endpoints?$/i),
        namespaces: collectObjects(d, /^namespaces?$/i),
      });
    },
    async provokeAddFailure(version, network) {
      // Inferred from the hns-sim contract: the fault applies to the next matching call.
      await run(['fault', 'add', '--fn', 'HcnCreateEndpoint', '--nth', '1', '--hresult', '0x80070005']);
      return {
        config: session.config(version, network),
        async undo() {
          await run(['fault', 'clear']);
        },
      };
    },
    invalidConfigs(version, network): InvalidConfig[] {
      const base = session.config(version, network);
      const rule = { strict: [7, 6] as const, compat: [7, 6, '>=100'] as const };
      return [
        { label: 'ipam.subnet 10.0.0.0/33', config: { ...base, ipam: { subnet: '10.0.0.0/33' } }, codes: rule },
        { label: '"ipam": 5', config: { ...base, ipam: 5 }, codes: rule },
      ];
    },
    describe: () => `nat profile, simulator state in ${stateDir}${server ? `, served on ${server.addr} to ${opts.hnsFfi}` : ''}`,
    async close() {
      if (server) {
        server.child.removeAllListeners('exit');
        const exited = new Promise((resolve) => server.child.once('exit', resolve));
        server.child.kill();
        await exited;
      }
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return session;
}
