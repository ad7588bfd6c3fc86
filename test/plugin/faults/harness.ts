/**
 * What the fault tests share: dist/nat run as a runtime runs it (a process, the CNI environment, the
 * config on stdin) against the simulator in a state folder, asynchronously so that several cases run
 * at once; a plugin process stuck in a hang fault is killed with SIGKILL once the fault has fired,
 * as a runtime's timeout would; and HNS as the simulator holds it, reduced to what a leak changes.
 */
import { spawn } from 'node:child_process';
import { listFaults, readState } from '../../../hns/sim/admin';
import { NAT } from '../process/harness';

export interface PluginRun {
  command: string;
  simDir: string;
  containerId?: string;
  netns?: string;
  ifName?: string;
  cniPath?: string;
  config: unknown;
}

export interface PluginAnswer {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The process was killed in a hang fault. */
  killed: boolean;
}

export function pluginEnv(run: PluginRun): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Always named: the default backend is not something a test may rely on.
    NAT_CNI_HNS: `sim:${run.simDir}`,
    CNI_COMMAND: run.command,
    CNI_PATH: run.cniPath ?? '/usr/lib/cni',
  };
  if (run.containerId !== undefined) env.CNI_CONTAINERID = run.containerId;
  if (run.netns !== undefined) env.CNI_NETNS = run.netns;
  if (run.ifName !== undefined) env.CNI_IFNAME = run.ifName;
  return env;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run dist/nat once. With `killOnFault`, the process is killed with SIGKILL as soon as that (hang)
 * fault has fired: the plugin then blocks for ever inside the HCN call, as on a stuck HNS.
 */
export function runPlugin(run: PluginRun, killOnFault?: number, timeoutMs = 60_000): Promise<PluginAnswer> {
  return new Promise((resolve, reject) => {
    const child = spawn(NAT, [], { env: pluginEnv(run), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let exited = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(run.config));
    if (killOnFault !== undefined) {
      void (async () => {
        while (!exited) {
          const f = listFaults(run.simDir).find((x) => x.id === killOnFault);
          if (f && f.fired > 0) {
            killed = child.kill('SIGKILL');
            return;
          }
          await sleep(15);
        }
      })();
    }
  });
}

/** One valid CNI answer: exit 0 (with a result for ADD, nothing otherwise) or an error object. */
export function cniAnswerProblem(command: string, a: PluginAnswer): string | undefined {
  if (a.code === null) return `no exit status (signal ${a.signal})`;
  const out = a.stdout.trim();
  if (a.code === 0) {
    if (command !== 'ADD') return out === '' ? undefined : `exit 0 with output ${out.slice(0, 200)}`;
    try {
      const r = JSON.parse(out) as Record<string, unknown>;
      return typeof r.cniVersion === 'string' && Array.isArray(r.ips) && r.ips.length > 0
        ? undefined
        : `ADD result without ips: ${out.slice(0, 200)}`;
    } catch {
      return `exit 0 with output that is not JSON: ${out.slice(0, 200)}`;
    }
  }
  try {
    const e = JSON.parse(out) as Record<string, unknown>;
    if (
      typeof e.cniVersion !== 'string' ||
      !Number.isInteger(e.code) ||
      (e.code as number) <= 0 ||
      typeof e.msg !== 'string'
    ) {
      return `exit ${a.code} with an error object missing cniVersion, code or msg: ${out.slice(0, 200)}`;
    }
    return undefined;
  } catch {
    return `exit ${a.code} with output that is not one JSON error object: ${out.slice(0, 200)}`;
  }
}

export const errorCode = (a: PluginAnswer): number | undefined => {
  try {
    const e = JSON.parse(a.stdout) as { code?: unknown };
    return typeof e.code === 'number' ? e.code : undefined;
  } catch {
    return undefined;
  }
};

/** HNS as the simulator holds it, in a form two states compare by: what an object leak changes. */
export interface HnsSnapshot {
  networks: Array<{ id: string; name: string; subnets: string[] }>;
  endpoints: Array<{ id: string; name: string; network: string; namespace: string; ips: string[]; policies: string[] }>;
  namespaces: Array<{ id: string; endpoints: string[] }>;
}

export function snapshot(simDir: string): HnsSnapshot {
  const s = readState(simDir);
  const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
  return {
    networks: byId(
      s.networks.map((n) => ({
        id: n.id,
        name: n.name,
        subnets: n.ipams.flatMap((i) => (i.Subnets ?? []).map((x) => String(x.IpAddressPrefix))),
      })),
    ),
    endpoints: byId(
      s.endpoints.map((e) => ({
        id: e.id,
        name: e.name,
        network: e.networkId,
        namespace: e.namespaceId ?? '',
        ips: e.ipConfigurations.map((c) => String(c.IpAddress)),
        policies: e.policies.map((p) => JSON.stringify(p)).sort(),
      })),
    ),
    namespaces: byId(
      s.namespaces.map((n) => ({
        id: n.id,
        endpoints: n.resources
          .filter((r) => r.type === 'Endpoint')
          .map((r) => r.id.toLowerCase())
          .sort(),
      })),
    ),
  };
}

/** The snapshot without the networks named `name` (ADD may create the shared network and keep it). */
export const withoutNetwork = (s: HnsSnapshot, name: string): HnsSnapshot => ({
  ...s,
  networks: s.networks.filter((n) => n.name !== name),
});

export const sameHns = (a: HnsSnapshot, b: HnsSnapshot): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What differs, briefly, for a failure message. */
export function hnsDiff(before: HnsSnapshot, after: HnsSnapshot): string {
  const out: string[] = [];
  for (const kind of ['networks', 'endpoints', 'namespaces'] as const) {
    const b = new Map<string, string>(before[kind].map((x) => [x.id, JSON.stringify(x)]));
    const a = new Map<string, string>(after[kind].map((x) => [x.id, JSON.stringify(x)]));
    for (const [id, text] of a) if (!b.has(id)) out.push(`+${kind} ${text}`);
    for (const [id, text] of b) if (!a.has(id)) out.push(`-${kind} ${text}`);
    for (const [id, text] of a) if (b.has(id) && b.get(id) !== text) out.push(`~${kind} ${b.get(id)} -> ${text}`);
  }
  return out.join('; ') || '(no difference)';
}
