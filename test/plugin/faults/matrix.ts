/**
 * The fault matrix: every command a runtime sends, run as dist/nat against the simulator, with one
 * fault injected at a position of the HCN call sequence that command makes (read from the
 * simulator's call log), for each fault kind. Each case asserts one valid CNI answer, HNS afterwards
 * as before the call (for ADD, the shared network may stay), no false success and no wrong diagnosis,
 * and that a retried command succeeds and a DEL then leaves HNS as it was.
 *
 * The plugin always runs as a process; the simulator's state is built once per scenario by plugin
 * processes, then copied per case and inspected in-process (a copy costs a millisecond, a process
 * start about a hundred).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HR } from '../../../hns/errors';
import {
  addFault,
  clearFaults,
  createNamespaceLikeContainerd,
  readState,
  updateSettings,
} from '../../../hns/sim/admin';
import type { FaultSpec } from '../../../hns/sim/faults';
import {
  type HnsSnapshot,
  type PluginAnswer,
  type PluginRun,
  cniAnswerProblem,
  errorCode,
  hnsDiff,
  runPlugin,
  sameHns,
  snapshot,
  withoutNetwork,
} from './harness';

export const NETWORK = 'nat';
const SUBNET = '172.20.0.0/16';

/** A fault kind: an HRESULT before the call takes effect, a lost answer, or a hang then SIGKILL. */
export interface FaultKind {
  name: string;
  spec: Omit<FaultSpec, 'fn' | 'nth'>;
  kill?: boolean;
}

export const FAULT_KINDS: FaultKind[] = [
  { name: '0x803B0013', spec: { hresult: HR.HCN_E_PORT_ALREADY_EXISTS } },
  { name: '0x80070490', spec: { hresult: HR.ERROR_NOT_FOUND } },
  { name: '0x803B000A', spec: { hresult: HR.HCN_E_INVALID_NETWORK } },
  { name: '0x80004005', spec: { hresult: HR.E_FAIL } },
  { name: '0x8007045A', spec: { hresult: 0x8007045a } },
  { name: '0x800706BA', spec: { hresult: HR.RPC_S_SERVER_UNAVAILABLE } },
  // The call takes effect and its answer is lost on the way back.
  { name: 'lost answer', spec: { hresult: HR.E_FAIL, after: true } },
  // The call takes effect, then never returns; the runtime kills the plugin.
  { name: 'hang, kill -9', spec: { hang: true, after: true }, kill: true },
];

export interface Dirs {
  root: string;
  sim: string;
  leases: string;
}

const dirsOf = (root: string): Dirs => ({ root, sim: path.join(root, 'sim'), leases: path.join(root, 'leases') });

/** What a scenario's set-up leaves for its cases: namespace IDs and answers, all independent of the folder. */
type Facts = { netns: string; others: string[]; prevResult?: unknown };

interface Scenario {
  name: string;
  command: 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';
  ipam?: boolean;
  dsr?: boolean;
  /** Plugin calls that build the state the command meets (after the namespaces exist). */
  prepare(d: Dirs, f: Facts): Promise<void>;
}

const mapping = (hostPort: number) => ({
  runtimeConfig: { portMappings: [{ hostPort, containerPort: 80, protocol: 'tcp' }] },
});

/** 1.1.0 for GC and STATUS, which need it; 1.0.0 otherwise, the newest that Debian's host-local speaks. */
function config(
  d: Dirs,
  s: { ipam?: boolean; dsr?: boolean; command?: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    cniVersion: s.command === 'GC' || s.command === 'STATUS' ? '1.1.0' : '1.0.0',
    name: NETWORK,
    type: 'nat',
    ipam: {
      ...(s.ipam ? { type: 'host-local', dataDir: d.leases } : {}),
      subnet: SUBNET,
      routes: [{ gateway: '172.20.0.1' }],
    },
    capabilities: { portMappings: true },
    ...(s.dsr ? { optionalFlags: { loopbackDSR: true } } : {}),
    ...mapping(8080),
    ...extra,
  };
}

const C1 = 'c1';
const C1_ENDPOINT = `${C1}_${NETWORK}`;
const STALE_ENDPOINT = `stale_${NETWORK}`;

async function mustSucceed(run: PluginRun): Promise<PluginAnswer> {
  const a = await runPlugin(run);
  if (a.code !== 0) throw new Error(`set-up ${run.command} failed: ${a.stdout} ${a.stderr}`);
  return a;
}

const addC1 = (d: Dirs, f: Facts, s: { ipam?: boolean }) =>
  mustSucceed({ command: 'ADD', simDir: d.sim, containerId: C1, netns: f.netns, ifName: 'eth0', config: config(d, s) });

export const SCENARIOS: Scenario[] = [
  { name: 'ADD, new network', command: 'ADD', prepare: async () => undefined },
  {
    name: 'ADD, existing network',
    command: 'ADD',
    prepare: async (d, f) => {
      await mustSucceed({
        command: 'ADD',
        simDir: d.sim,
        containerId: 'c0',
        netns: f.others[0],
        ifName: 'eth0',
        config: config(d, {}, mapping(8081)),
      });
    },
  },
  {
    name: 'ADD, repeated',
    command: 'ADD',
    prepare: async (d, f) => void (await addC1(d, f, {})),
  },
  { name: 'ADD, loopbackDSR', command: 'ADD', dsr: true, prepare: async () => undefined },
  { name: 'ADD, delegated IPAM', command: 'ADD', ipam: true, prepare: async () => undefined },
  { name: 'DEL', command: 'DEL', prepare: async (d, f) => void (await addC1(d, f, {})) },
  {
    name: 'DEL, delegated IPAM',
    command: 'DEL',
    ipam: true,
    prepare: async (d, f) => void (await addC1(d, f, { ipam: true })),
  },
  {
    name: 'CHECK',
    command: 'CHECK',
    prepare: async (d, f) => {
      f.prevResult = JSON.parse((await addC1(d, f, {})).stdout);
    },
  },
  {
    name: 'GC',
    command: 'GC',
    prepare: async (d, f) => {
      await addC1(d, f, {});
      await mustSucceed({
        command: 'ADD',
        simDir: d.sim,
        containerId: 'stale',
        netns: f.others[0],
        ifName: 'eth0',
        config: config(d, {}, mapping(8082)),
      });
    },
  },
  { name: 'STATUS', command: 'STATUS', prepare: async (d, f) => void (await addC1(d, f, {})) },
];

/** The invocation of the scenario's command, as a runtime makes it. */
function invocation(s: Scenario, d: Dirs, f: Facts): PluginRun {
  switch (s.command) {
    case 'GC':
      return {
        command: 'GC',
        simDir: d.sim,
        config: config(d, s, { 'cni.dev/valid-attachments': [{ containerID: C1, ifname: 'eth0' }] }),
      };
    case 'STATUS':
      return { command: 'STATUS', simDir: d.sim, config: config(d, s) };
    case 'CHECK':
      return {
        command: 'CHECK',
        simDir: d.sim,
        containerId: C1,
        netns: f.netns,
        ifName: 'eth0',
        config: config(d, s, { prevResult: f.prevResult }),
      };
    default:
      return {
        command: s.command,
        simDir: d.sim,
        containerId: C1,
        netns: f.netns,
        ifName: 'eth0',
        config: config(d, s),
      };
  }
}

const leases = (d: Dirs): string[] => {
  const dir = path.join(d.leases, NETWORK);
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f))
        .sort()
    : [];
};

/** The snapshot without the endpoints named `name` (and their namespace memberships). */
function without(s: HnsSnapshot, name: string): HnsSnapshot {
  const gone = new Set(s.endpoints.filter((e) => e.name === name).map((e) => e.id));
  return {
    ...s,
    endpoints: s.endpoints.filter((e) => !gone.has(e.id)),
    namespaces: s.namespaces.map((n) => ({ ...n, endpoints: n.endpoints.filter((id) => !gone.has(id)) })),
  };
}

/** A prepared scenario: a template folder and what its cases compare against. */
interface Prepared {
  scenario: Scenario;
  template: string;
  facts: Facts;
  /** Before the scenario's own set-up ran: what a final DEL returns HNS to. */
  origin: HnsSnapshot;
  /** What the command meets. */
  pre: HnsSnapshot;
  preLeases: string[];
  /** The command's HCN calls, in order, from the simulator's call log. */
  calls: string[];
}

export async function prepare(s: Scenario, root: string): Promise<Prepared> {
  const template = fs.mkdtempSync(path.join(root, 'template-'));
  const d = dirsOf(template);
  const facts: Facts = { netns: createNamespaceLikeContainerd(d.sim), others: [createNamespaceLikeContainerd(d.sim)] };
  const origin = snapshot(d.sim);
  await s.prepare(d, facts);
  const pre = snapshot(d.sim);
  // The call sequence of the command, from a copy run with the call log on.
  const probe = dirsOf(fs.mkdtempSync(path.join(root, 'probe-')));
  copyDirs(d, probe);
  updateSettings(probe.sim, { recordCalls: true });
  const skip = readState(probe.sim).callLog.length;
  const a = await runPlugin(invocation(s, probe, facts));
  if (a.code !== 0) throw new Error(`${s.name}: the command fails without a fault: ${a.stdout}`);
  const calls = readState(probe.sim)
    .callLog.slice(skip)
    .map((c) => c.fn);
  fs.rmSync(probe.root, { recursive: true, force: true });
  return { scenario: s, template, facts, origin, pre, preLeases: leases(d), calls };
}

function copyDirs(from: Dirs, to: Dirs): void {
  fs.cpSync(from.sim, to.sim, { recursive: true });
  if (fs.existsSync(from.leases)) fs.cpSync(from.leases, to.leases, { recursive: true });
}

export interface Position {
  fn: string;
  /** The nth call of fn in the sequence. */
  nth: number;
}

export function positionsOf(calls: readonly string[]): Position[] {
  const seen = new Map<string, number>();
  return calls.map((fn) => {
    const nth = (seen.get(fn) ?? 0) + 1;
    seen.set(fn, nth);
    return { fn, nth };
  });
}

export interface CaseSpec {
  prepared: Prepared;
  position: Position;
  kind: FaultKind;
}

export type Verdict = 'clean' | 'leak' | 'false success' | 'wrong diagnosis' | 'invalid answer' | 'no recovery';

export interface CaseResult {
  label: string;
  verdict: Verdict;
  detail: string;
}

const ok = (a: PluginAnswer) => a.code === 0;

/**
 * Run one case in a copy of the scenario's template and judge it. Each check names what it found, so
 * that a failing matrix says which case, which position and what HNS held.
 */
export async function runCase(c: CaseSpec, root: string): Promise<CaseResult> {
  const { prepared: p, position, kind } = c;
  const s = p.scenario;
  const label = `${s.name} | ${kind.name} at ${position.fn} #${position.nth}`;
  const d = dirsOf(fs.mkdtempSync(path.join(root, 'case-')));
  const result = (verdict: Verdict, detail = ''): CaseResult => ({ label, verdict, detail });
  try {
    copyDirs(dirsOf(p.template), d);
    const inv = invocation(s, d, p.facts);
    const f = addFault(d.sim, { fn: position.fn, nth: position.nth, ...kind.spec });
    const a = await runPlugin(inv, kind.kill ? f.id : undefined);
    clearFaults(d.sim);
    if (!a.killed) {
      const invalid = cniAnswerProblem(s.command, a);
      if (invalid) return result('invalid answer', invalid);
      const verdict = judge(p, d, a);
      if (verdict) return { ...verdict, label };
    }
    // A runtime retries what failed (or was killed), then tears the attachment down.
    const recovery = await recover(p, d, inv, ok(a) && !a.killed);
    return recovery ? { ...recovery, label } : result('clean');
  } finally {
    fs.rmSync(d.root, { recursive: true, force: true });
  }
}

const verdictOf = (verdict: Verdict, detail: string): CaseResult => ({ label: '', verdict, detail });

/** The answer and HNS right after the faulted call; undefined when all is well so far. */
function judge(p: Prepared, d: Dirs, a: PluginAnswer): CaseResult | undefined {
  const s = p.scenario;
  const after = snapshot(d.sim);
  const code = errorCode(a);
  switch (s.command) {
    case 'ADD': {
      if (code === 3) return verdictOf('wrong diagnosis', `code 3 although the namespace exists: ${a.stdout}`);
      if (code === 101 && a.stdout.includes(`"${C1_ENDPOINT}"`))
        return verdictOf('wrong diagnosis', `101 naming the container's own endpoint: ${a.stdout}`);
      if (ok(a)) {
        const wrong = attachedProblem(p, d, after, a);
        return wrong ? verdictOf('false success', wrong) : undefined;
      }
      const expected = p.pre;
      const have = p.pre.networks.some((n) => n.name === NETWORK) ? after : withoutNetwork(after, NETWORK);
      if (!sameHns(have, expected)) return verdictOf('leak', `failed ADD changed HNS: ${hnsDiff(expected, have)}`);
      if (leases(d).join() !== p.preLeases.join())
        return verdictOf('leak', `failed ADD left leases ${leases(d).join(', ')}`);
      return undefined;
    }
    case 'DEL': {
      const remaining = after.endpoints.filter((e) => e.name === C1_ENDPOINT);
      if (ok(a) && remaining.length > 0)
        return verdictOf('false success', `DEL succeeded, endpoint still there: ${JSON.stringify(remaining)}`);
      if (ok(a) && leases(d).length > 0)
        return verdictOf('false success', `DEL succeeded, leases still held: ${leases(d).join(', ')}`);
      if (!sameHns(without(after, C1_ENDPOINT), without(p.pre, C1_ENDPOINT))) {
        return verdictOf(
          'leak',
          `DEL changed other objects: ${hnsDiff(without(p.pre, C1_ENDPOINT), without(after, C1_ENDPOINT))}`,
        );
      }
      if (s.ipam && remaining.length > 0 && leases(d).length === 0)
        return verdictOf('leak', 'the lease was released while the endpoint stays');
      return undefined;
    }
    case 'GC': {
      const remaining = after.endpoints.filter((e) => e.name === STALE_ENDPOINT);
      if (ok(a) && remaining.length > 0) return verdictOf('false success', `GC succeeded, stale endpoint still there`);
      const keep = without(after, STALE_ENDPOINT);
      if (!sameHns(keep, without(p.pre, STALE_ENDPOINT)))
        return verdictOf('leak', `GC changed what it must keep: ${hnsDiff(without(p.pre, STALE_ENDPOINT), keep)}`);
      return undefined;
    }
    case 'CHECK':
    case 'STATUS': {
      if (s.command === 'CHECK' && code === 102)
        return verdictOf('wrong diagnosis', `CHECK reported drift that is not there: ${a.stdout}`);
      if (s.command === 'STATUS' && !ok(a) && code !== 50)
        return verdictOf('invalid answer', `STATUS failed with code ${code}, not 50`);
      if (!sameHns(after, p.pre)) return verdictOf('leak', `${s.command} changed HNS: ${hnsDiff(p.pre, after)}`);
      return undefined;
    }
  }
}

/** After a successful ADD: the container's one endpoint, attached to its namespace, as the result says. */
function attachedProblem(p: Prepared, d: Dirs, after: HnsSnapshot, a: PluginAnswer): string | undefined {
  const eps = after.endpoints.filter((e) => e.name === C1_ENDPOINT);
  if (eps.length !== 1) return `${eps.length} endpoints named ${C1_ENDPOINT}`;
  const ep = eps[0] as HnsSnapshot['endpoints'][number];
  const netns = p.facts.netns.toLowerCase();
  if (ep.namespace !== netns) return `endpoint attached to "${ep.namespace}", not ${netns}`;
  if (!after.namespaces.find((n) => n.id === netns)?.endpoints.includes(ep.id))
    return 'the namespace does not list the endpoint';
  if (!ep.policies.some((x) => x.includes('"ExternalPort":8080'))) return 'the endpoint lacks its port mapping';
  if (p.scenario.dsr && !ep.policies.some((x) => x.includes('OutBoundNAT')))
    return 'the endpoint lacks its loopback DSR policy';
  const result = JSON.parse(a.stdout) as { ips?: Array<{ address: string }> };
  if (result.ips?.[0]?.address.split('/')[0] !== ep.ips[0])
    return `result address ${result.ips?.[0]?.address} is not the endpoint's ${ep.ips[0]}`;
  if (p.scenario.ipam && leases(d).join() !== ep.ips.join())
    return `leases [${leases(d).join(', ')}] do not match the endpoint's [${ep.ips.join(', ')}]`;
  const others = without(withoutNetwork(after, NETWORK), C1_ENDPOINT);
  const before = without(withoutNetwork(p.pre, NETWORK), C1_ENDPOINT);
  if (!sameHns(others, before)) return `ADD changed other objects: ${hnsDiff(before, others)}`;
  return undefined;
}

/** Retry what did not succeed, then tear down as a runtime does; undefined when HNS ends as it should. */
async function recover(p: Prepared, d: Dirs, inv: PluginRun, succeeded: boolean): Promise<CaseResult | undefined> {
  const s = p.scenario;
  if (!succeeded) {
    const again = await runPlugin(inv);
    if (!ok(again)) return verdictOf('no recovery', `the retried ${s.command} failed: ${again.stdout}`);
    const verdict = judge(p, d, again);
    if (verdict) return { ...verdict, detail: `retry: ${verdict.detail}` };
  }
  // The shared network may stay (and must be usable: the retry proved it); everything else must be as expected.
  const afterAll = (expected: HnsSnapshot): CaseResult | undefined => {
    const have = withoutNetwork(snapshot(d.sim), NETWORK);
    const want = withoutNetwork(expected, NETWORK);
    if (!sameHns(have, want)) return verdictOf('leak', `after the retry and DEL: ${hnsDiff(want, have)}`);
    if (leases(d).length > 0) return verdictOf('leak', `after the retry and DEL, leases stay: ${leases(d).join(', ')}`);
    return undefined;
  };
  switch (s.command) {
    case 'ADD': {
      const del = await runPlugin({ ...inv, command: 'DEL' });
      if (!ok(del)) return verdictOf('no recovery', `DEL after the ADD failed: ${del.stdout}`);
      // What the scenario's own set-up added (another container, a first ADD of c1) stays but c1.
      return afterAll(without(p.pre, C1_ENDPOINT));
    }
    case 'DEL':
      return afterAll(without(p.pre, C1_ENDPOINT));
    case 'GC': {
      const have = snapshot(d.sim);
      const expected = without(p.pre, STALE_ENDPOINT);
      return sameHns(have, expected)
        ? undefined
        : verdictOf('leak', `after the retried GC: ${hnsDiff(expected, have)}`);
    }
    default: {
      const have = snapshot(d.sim);
      return sameHns(have, p.pre)
        ? undefined
        : verdictOf('leak', `after the retried ${s.command}: ${hnsDiff(p.pre, have)}`);
    }
  }
}

/** The calls that change what HNS holds: where a fault can leave something behind. */
const WRITES = /^Hcn(Create|Modify|Delete)/;

/**
 * Which positions to try. `full` tries every position of every scenario with every kind. The CI
 * sample, for each scenario and kind: every position of a call that changes HNS, and one other
 * position, rotating with the kind (so that 8 kinds see 8 different read positions of a scenario);
 * then, for each kind, any call kind not yet met gets a position of its own. So every call kind meets
 * every fault kind, and every command every fault kind.
 */
export function chooseCases(all: Prepared[], full: boolean): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const key = (c: CaseSpec) => `${c.prepared.scenario.name}|${c.position.fn}|${c.position.nth}|${c.kind.name}`;
  const have = new Set<string>();
  const add = (c: CaseSpec) => {
    if (have.has(key(c))) return;
    have.add(key(c));
    cases.push(c);
  };
  FAULT_KINDS.forEach((kind, k) => {
    all.forEach((p, i) => {
      const positions = positionsOf(p.calls);
      if (full) return positions.forEach((position) => add({ prepared: p, position, kind }));
      const reads = positions.filter((x) => !WRITES.test(x.fn));
      for (const position of positions.filter((x) => WRITES.test(x.fn))) add({ prepared: p, position, kind });
      if (reads.length > 0) add({ prepared: p, position: reads[(k * 5 + i * 3) % reads.length] as Position, kind });
    });
    const met = new Set(cases.filter((c) => c.kind === kind).map((c) => c.position.fn));
    for (const fn of new Set(all.flatMap((p) => p.calls))) {
      if (met.has(fn)) continue;
      const holders = all.filter((p) => p.calls.includes(fn));
      const p = holders[k % holders.length] as Prepared;
      const occurrences = positionsOf(p.calls).filter((x) => x.fn === fn);
      add({ prepared: p, position: occurrences[k % occurrences.length] as Position, kind });
    }
  });
  return cases;
}

export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

export const tempRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-faults-'));
