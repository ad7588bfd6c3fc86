/**
 * `make bench`: what one plugin call costs as a whole process, next to the runtime's own floor. It
 * PRINTS a table; it asserts nothing (no timed assertion anywhere in the repo).
 *
 * - dist/nat (NAT_CNI_HNS=sim:<dir>) for VERSION, ADD (existing network), ADD (new network), DEL, CHECK,
 *   STATUS, GC, each run interleaved with `node -e 0` (A B A B ...), so that both see the same load.
 * - nat.exe under Wine (build/exe/nat-wine.exe, the fake computenetwork.dll in System32 and `hns-sim
 *   serve` behind it, as test/exe/nat-exe.test.ts runs it) for VERSION, ADD and DEL, interleaved with
 *   `node.exe -e 0` of the same pinned Node (build/exe/node-wine.exe, the same one-byte Wine 8.0 fix).
 * - The HCN calls each command makes: the simulator's call counts (`hns-sim calls`) before and after.
 * - A burst of 64 ADDs of distinct pods at concurrency 8 on one network, then 64 DELs: wall time, CPU
 *   floor (the runs' CPU summed, over the cores) and the time each ADD held the network lock, from the
 *   plugin's own debug log line ("network lock held").
 *
 * Each run goes through `/usr/bin/time -f` (Debian `time`) for CPU (user + system) and peak RSS; wall
 * time is taken here around the same spawn, so both columns carry time's ~1 ms. time prints CPU in
 * 10 ms steps, so the CPU column is a mean (a median of 10 ms steps says little); wall and RSS are
 * medians with their interquartile spread.
 *
 *   BENCH_RUNS=N (default 21); BENCH_NAT=0, BENCH_BURST=0, BENCH_WINE=0 skip a part; BENCH_NAT_EXE=<exe> and
 *   BENCH_DIST_NAT=<file> measure another build of nat.exe (Wine-ready) or of dist/nat.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  NAT_EXE as SHIPPED_WINE_EXE,
  REPO,
  WINE64,
  startSimServer,
  startWineServer,
  wineBaseEnv,
  type SimServer,
  type WineServer,
} from '../exe/wine';

/** BENCH_DIST_NAT: another build of dist/nat to measure (e.g. an older commit's, for a before/after). */
const NAT = path.resolve(process.env.BENCH_DIST_NAT ?? path.join(REPO, 'dist/nat'));
const HNS_SIM = path.join(REPO, 'dist/hns-sim');
const NODE_EXE = path.join(REPO, 'build/exe/node-wine.exe');
/** BENCH_NAT_EXE: another Wine-ready build to compare (e.g. one made with NAT_EXE_CODE_CACHE=1). */
const NAT_EXE = process.env.BENCH_NAT_EXE ? path.resolve(process.env.BENCH_NAT_EXE) : SHIPPED_WINE_EXE;
const TIME = '/usr/bin/time';
const RUNS = Number(process.env.BENCH_RUNS ?? 21);

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssKB: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

type Cmd = { argv: string[]; env: NodeJS.ProcessEnv; input?: string };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-bench-'));
const timeFile = path.join(scratch, 'time');

/** `%U %S %M` from /usr/bin/time: user and system seconds, peak RSS in KB. */
function parseTime(text: string): { cpuMs: number; rssKB: number } {
  const last = text.trim().split('\n').pop() ?? '';
  const [u, s, m] = last.split(' ').map(Number);
  if (![u, s, m].every((x) => Number.isFinite(x))) throw new Error(`cannot read /usr/bin/time's output: ${text}`);
  return { cpuMs: (u! + s!) * 1000, rssKB: m! };
}

const errFile = path.join(scratch, 'stderr');

/** stderr goes to a file, as runWine does it: Node under Wine cannot open a pipe as process.stderr. */
function run(cmd: Cmd): Sample {
  const fd = fs.openSync(errFile, 'w');
  try {
    const started = process.hrtime.bigint();
    const r = spawnSync(TIME, ['-f', '%U %S %M', '-o', timeFile, ...cmd.argv], {
      env: cmd.env,
      input: cmd.input ?? '',
      stdio: ['pipe', 'pipe', fd],
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      wallMs,
      ...parseTime(fs.readFileSync(timeFile, 'utf8')),
      status: r.status,
      stdout: r.stdout,
      stderr: fs.readFileSync(errFile, 'utf8'),
    };
  } finally {
    fs.closeSync(fd);
  }
}

function runAsync(cmd: Cmd, file: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(TIME, ['-f', '%U %S %M', '-o', file, ...cmd.argv], {
      env: cmd.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ wallMs, ...parseTime(fs.readFileSync(file, 'utf8')), status, stdout, stderr });
    });
    child.stdin.end(cmd.input ?? '');
  });
}

const must = (s: Sample, what: string): Sample => {
  if (s.status !== 0) throw new Error(`${what} failed (exit ${s.status}): ${s.stdout}${s.stderr}`);
  return s;
};

// --- statistics --------------------------------------------------------------------------------

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
function quantile(xs: number[], q: number): number {
  const s = sorted(xs);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}
const median = (xs: number[]) => quantile(xs, 0.5);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const spread = (xs: number[]) => `${f0(quantile(xs, 0.25))}–${f0(quantile(xs, 0.75))}`;

interface Row {
  what: string;
  ours: Sample[];
  floor: Sample[];
  calls?: number;
}

const rows: Row[] = [];

/** `RUNS` pairs, floor first then ours, each pair's `prepare` (untimed) before it. */
function interleaved(what: string, floor: Cmd, ours: (i: number) => Cmd, after?: (s: Sample, i: number) => void): Row {
  const row: Row = { what, ours: [], floor: [] };
  // One warm-up pair: the page cache and the simulator's state files, not measured.
  for (let i = -1; i < RUNS; i++) {
    const f = must(run(floor), `${what}: the floor`);
    const o = must(run(ours(i)), what);
    after?.(o, i);
    if (i >= 0) {
      row.floor.push(f);
      row.ours.push(o);
    }
  }
  rows.push(row);
  return row;
}

function printRows(title: string, floorName: string, list: Row[]): void {
  console.log(`\n${title} (${RUNS} interleaved pairs; wall and RSS: median and p25–p75; CPU: mean of user+system)`);
  console.log(
    `| command | HCN calls | wall ms | ${floorName} wall ms | wall ratio | CPU ms | ${floorName} CPU ms | CPU ratio | peak RSS MB | ${floorName} RSS MB | RSS ratio |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of list) {
    const w = r.ours.map((s) => s.wallMs);
    const fw = r.floor.map((s) => s.wallMs);
    const c = r.ours.map((s) => s.cpuMs);
    const fc = r.floor.map((s) => s.cpuMs);
    const m = r.ours.map((s) => s.rssKB / 1024);
    const fm = r.floor.map((s) => s.rssKB / 1024);
    console.log(
      `| ${r.what} | ${r.calls ?? '–'} | ${f0(median(w))} (${spread(w)}) | ${f0(median(fw))} (${spread(fw)}) | ${f2(median(w) / median(fw))}× | ` +
        `${f0(mean(c))} | ${f0(mean(fc))} | ${f2(mean(c) / mean(fc))}× | ${f1(median(m))} | ${f1(median(fm))} | ${f2(median(m) / median(fm))}× |`,
    );
  }
}

// --- dist/nat on the simulator -------------------------------------------------------------------

const natConfig = (name: string, third: number, extra: Record<string, unknown> = {}) => ({
  cniVersion: '1.1.0',
  name,
  type: 'nat',
  ipam: { subnet: `172.30.${third}.0/24`, routes: [{ gateway: `172.30.${third}.1` }] },
  capabilities: { portMappings: true, dns: true },
  ...extra,
});

function sim(dir: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [HNS_SIM, '--state', dir, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hns-sim ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const callTotal = (dir: string): number =>
  Object.values(JSON.parse(sim(dir, 'calls')) as Record<string, number>).reduce((a, b) => a + b, 0);

function natEnv(dir: string, command: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NAT_CNI_HNS: `sim:${dir}`,
    NAT_CNI_LOG: path.join(scratch, 'nat.log'),
    CNI_COMMAND: command,
    CNI_PATH: '/usr/lib/cni',
    ...extra,
  };
}

const attach = (id: string, netns: string) => ({ CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0' });
const nodeFloor: Cmd = { argv: [process.execPath, '-e', '0'], env: { PATH: process.env.PATH } };
const nat = (dir: string, command: string, config: unknown, extra: Record<string, string> = {}): Cmd => ({
  argv: [process.execPath, NAT],
  env: natEnv(dir, command, extra),
  input: JSON.stringify(config),
});

function benchNat(): void {
  const dir = fs.mkdtempSync(path.join(scratch, 'sim-'));
  const config = natConfig('bench', 1);
  // The network and one pod that stays: CHECK, STATUS and GC have something to look at.
  const keepNs = sim(dir, 'namespace', 'create').trim();
  const keep = must(run(nat(dir, 'ADD', config, attach('keep', keepNs))), 'the first ADD');
  const prevResult = JSON.parse(keep.stdout) as unknown;
  const list: Row[] = [];

  /** The HCN calls of one more, untimed, run of `cmd`. */
  const count = (cmd: Cmd): number => {
    const before = callTotal(dir);
    must(run(cmd), 'a counted run');
    return callTotal(dir) - before;
  };

  list.push(interleaved('VERSION', nodeFloor, () => ({ ...nat(dir, 'VERSION', { cniVersion: '1.1.0' }) })));
  list.at(-1)!.calls = count(nat(dir, 'VERSION', { cniVersion: '1.1.0' }));

  // ADD (existing network) and DEL of the same pod, so that each DEL has an endpoint to remove.
  const namespaces = Array.from({ length: RUNS + 2 }, () => sim(dir, 'namespace', 'create').trim());
  const pod = (i: number) => attach(`pod-${i + 1}`, namespaces[i + 1]!);
  list.push(interleaved('ADD (existing network)', nodeFloor, (i) => nat(dir, 'ADD', config, pod(i))));
  list.push(interleaved('DEL', nodeFloor, (i) => nat(dir, 'DEL', config, pod(i))));
  const countNs = namespaces[RUNS + 1]!;
  list[1]!.calls = count(nat(dir, 'ADD', config, attach('counted', countNs)));
  list[2]!.calls = count(nat(dir, 'DEL', config, attach('counted', countNs)));

  // ADD (new network): each run on a fresh simulator, so HNS has no network yet.
  const fresh: string[] = [];
  const newNet = (): { dir: string; ns: string } => {
    const d = fs.mkdtempSync(path.join(scratch, 'fresh-'));
    fresh.push(d);
    return { dir: d, ns: sim(d, 'namespace', 'create').trim() };
  };
  const freshOnes = Array.from({ length: RUNS + 2 }, newNet);
  list.push(
    interleaved('ADD (new network)', nodeFloor, (i) =>
      nat(freshOnes[i + 1]!.dir, 'ADD', config, attach('first', freshOnes[i + 1]!.ns)),
    ),
  );
  {
    const d = newNet();
    const before = callTotal(d.dir);
    must(run(nat(d.dir, 'ADD', config, attach('first', d.ns))), 'a counted ADD');
    list.at(-1)!.calls = callTotal(d.dir) - before;
  }

  const checkCmd = nat(dir, 'CHECK', { ...config, prevResult }, attach('keep', keepNs));
  list.push(interleaved('CHECK', nodeFloor, () => checkCmd));
  list.at(-1)!.calls = count(checkCmd);
  const statusCmd = nat(dir, 'STATUS', config);
  list.push(interleaved('STATUS', nodeFloor, () => statusCmd));
  list.at(-1)!.calls = count(statusCmd);
  const gcCmd = nat(dir, 'GC', { ...config, 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
  list.push(interleaved('GC', nodeFloor, () => gcCmd));
  list.at(-1)!.calls = count(gcCmd);

  printRows(`dist/nat on the simulator vs \`node -e 0\` (${process.version})`, 'node', list);
  for (const d of fresh) fs.rmSync(d, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

// --- the burst -------------------------------------------------------------------------------------

async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) out[i] = await job(i);
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

async function burst(): Promise<void> {
  const N = 64;
  const WIDTH = 8;
  const dir = fs.mkdtempSync(path.join(scratch, 'burst-'));
  const log = path.join(scratch, 'burst.log');
  const config = natConfig('burst', 2, { logLevel: 'debug', logFile: log });
  const namespaces = Array.from({ length: N + 1 }, () => sim(dir, 'namespace', 'create').trim());
  // The network exists before the burst (a host's pods join one that is there).
  must(run(nat(dir, 'ADD', config, attach('warm', namespaces[N]!))), 'the warm-up ADD');
  fs.rmSync(log, { force: true });
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const phase = async (command: 'ADD' | 'DEL') => {
    const started = process.hrtime.bigint();
    const samples = await pool(N, WIDTH, (i) =>
      runAsync(nat(dir, command, config, attach(`burst-${i}`, namespaces[i]!)), path.join(scratch, `time-${i}`)).then(
        (s) => must(s, `${command} burst-${i}`),
      ),
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpuFloorMs = samples.reduce((a, s) => a + s.cpuMs, 0) / cores;
    return { wallMs, cpuFloorMs, perRun: samples.map((s) => s.wallMs) };
  };
  const loadBefore = os.loadavg()[0]!;
  const add = await phase('ADD');
  const held = () =>
    fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('network lock held'))
      .map((l) => (JSON.parse(l) as { heldMs?: number }).heldMs ?? NaN)
      .filter((x) => Number.isFinite(x));
  const addHeld = held();
  fs.rmSync(log, { force: true });
  const del = await phase('DEL');
  const delHeld = held();
  console.log(
    `\nBurst: ${N} ADDs of distinct pods on one network at concurrency ${WIDTH}, then ${N} DELs (dist/nat, simulator, ${cores} cores, load ${f1(loadBefore)})`,
  );
  console.log(
    '| phase | wall ms | CPU floor ms (Σ CPU ÷ cores) | wall ÷ CPU floor | per call wall ms (median) | lock held ms per call (median, p90, max) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, p, h] of [
    ['ADD', add, addHeld],
    ['DEL', del, delHeld],
  ] as const) {
    const lock =
      h.length === N
        ? `${f1(median(h))}, ${f1(quantile(h, 0.9))}, ${f1(Math.max(...h))}`
        : `? (${h.length} log lines for ${N} calls)`;
    console.log(
      `| ${name} | ${f0(p.wallMs)} | ${f0(p.cpuFloorMs)} | ${f2(p.wallMs / p.cpuFloorMs)}× | ${f0(median(p.perRun))} | ${lock} |`,
    );
  }
  // Uncontended, one ADD at a time: how much of the hold is the simulator's own time (the request
  // log's per-call `ms`; the log's own appends are then inside the hold too, so ours is an upper bound).
  const calls = path.join(scratch, 'requests.log');
  sim(dir, 'settings', 'set', 'requestLog', JSON.stringify(calls));
  const seqHeld: number[] = [];
  const seqHcn: number[] = [];
  for (let i = 0; i < 8; i++) {
    fs.rmSync(log, { force: true });
    fs.rmSync(calls, { force: true });
    const ns = sim(dir, 'namespace', 'create').trim();
    fs.rmSync(calls, { force: true });
    must(run(nat(dir, 'ADD', config, attach(`seq-${i}`, ns))), 'a sequential ADD');
    seqHeld.push(...held());
    const lines = fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { fn: string; ms: number });
    // The calls before the lock (the HNS version, HNSCall) are not in the hold.
    seqHcn.push(lines.filter((l) => l.fn !== 'HNSCall').reduce((a, l) => a + l.ms, 0));
  }
  const ours = seqHeld.map((h, i) => h - (seqHcn[i] ?? 0));
  console.log(
    `\nOne ADD at a time (8 runs, medians): lock held ${f1(median(seqHeld))} ms, of which HCN calls in the simulator ${f1(median(seqHcn))} ms; ` +
      `the plugin's own time in the lock ${f1(median(ours))} ms (p25–p75 ${f1(quantile(ours, 0.25))}–${f1(quantile(ours, 0.75))})`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

// --- nat.exe under Wine ---------------------------------------------------------------------------

async function benchWine(): Promise<void> {
  for (const f of [NAT_EXE, NODE_EXE])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run make bench (it builds it)`);
  let wine: WineServer | undefined;
  let hns: SimServer | undefined;
  try {
    wine = await startWineServer();
    hns = await startSimServer();
    const h = hns;
    const wineEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
      ...wineBaseEnv(),
      NAT_CNI_HNS_SIM_ADDR: h.addr,
      ...extra,
    });
    const floor: Cmd = { argv: [WINE64, NODE_EXE, '-e', '0'], env: wineEnv({}) };
    const config = JSON.stringify(natConfig('winebench', 3));
    const exe = (command: string, extra: Record<string, string> = {}, input = config): Cmd => ({
      argv: [WINE64, NAT_EXE],
      env: wineEnv({ CNI_COMMAND: command, CNI_PATH: 'C:\\cni\\bin', ...extra }),
      input,
    });
    const counted = (cmd: Cmd): number => {
      const total = () =>
        Object.values(JSON.parse(h.sim(['calls'])) as Record<string, number>).reduce((a, b) => a + b, 0);
      const before = total();
      must(run(cmd), 'a counted run under Wine');
      return total() - before;
    };
    const keepNs = h.sim(['namespace', 'create']).trim();
    must(run(exe('ADD', attach('keep', keepNs))), 'the first ADD under Wine');
    const list: Row[] = [];
    list.push(interleaved('VERSION', floor, () => exe('VERSION', {}, '{"cniVersion":"1.1.0"}')));
    list.at(-1)!.calls = counted(exe('VERSION', {}, '{"cniVersion":"1.1.0"}'));
    const namespaces = Array.from({ length: RUNS + 2 }, () => h.sim(['namespace', 'create']).trim());
    const pod = (i: number) => attach(`wpod-${i + 1}`, namespaces[i + 1]!);
    list.push(interleaved('ADD (existing network)', floor, (i) => exe('ADD', pod(i))));
    list.push(interleaved('DEL', floor, (i) => exe('DEL', pod(i))));
    const countNs = namespaces[RUNS + 1]!;
    list[1]!.calls = counted(exe('ADD', attach('counted', countNs)));
    list[2]!.calls = counted(exe('DEL', attach('counted', countNs)));
    printRows(
      `nat.exe under Wine (${path.relative(REPO, NAT_EXE)}) vs \`node.exe -e 0\` of the same Node (wineserver CPU not counted)`,
      'node.exe',
      list,
    );
  } finally {
    await hns?.stop();
    await wine?.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `make bench: ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map(f2).join(' ')}`,
  );
  if (process.env.BENCH_NAT !== '0') benchNat();
  if (process.env.BENCH_BURST !== '0') await burst();
  if (process.env.BENCH_WINE !== '0') await benchWine();
  console.log(`\nload at the end: ${os.loadavg().map(f2).join(' ')}`);
}

main()
  .catch((e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
