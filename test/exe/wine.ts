/**
 * Running nat.exe under Wine for the tests, around Wine's known traps: a prefix that reports
 * Windows 10 (make prepares build/wine), one wineserver started here before the tests and stopped by
 * its PID after (a server started by the first wine call would inherit the callers' pipes and make
 * every call wait for it), stderr always a file (Node on Wine fails on a pipe there), and stdin/stdout
 * pipes (the plugin reads and writes them with fs.readFileSync(0) / fs.writeSync(1), which work).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const WINE64 = '/usr/lib/wine/wine64';
export const WINESERVER = '/usr/lib/wine/wineserver';
export const WINEPREFIX = path.join(REPO, 'build/wine');
/** dist/nat.exe with the one-string Wine 8.0 fix of tools/exe/wine-compat.sh. */
export const NAT_EXE = path.join(REPO, 'build/exe/nat-wine.exe');
export const SHIPPED_EXE = path.join(REPO, 'dist/nat.exe');
export const FAKE_DLL = path.join(REPO, 'dist/computenetwork.dll');
export const HNS_SIM = path.join(REPO, 'dist/hns-sim');
export const LIBCNI_DRIVER_EXE = path.join(REPO, 'dist/peers/libcni-driver.exe');
export const CONFORMANCE = path.join(REPO, 'dist/conformance.js');

/** The prefix's System32, where Windows programs (hcsshim's NewLazySystemDLL, nat.exe) load HCN from. */
export const SYSTEM32 = path.join(WINEPREFIX, 'drive_c/windows/system32');
/** The names the fake goes in under: HCN's computenetwork.dll, and vmcompute.dll for HNSCall. */
export const FAKE_DLL_NAMES = ['computenetwork.dll', 'vmcompute.dll'];

/**
 * Put the fake library into the prefix's System32 under both names, so that nat.exe as shipped
 * and any other Windows HNS client run against `hns-sim serve` unchanged (the fake reads the
 * server's address from NAT_CNI_HNS_SIM_ADDR). Wine ships neither DLL, so nothing is replaced.
 */
export function installFakeHns(): void {
  for (const name of FAKE_DLL_NAMES) {
    const to = path.join(SYSTEM32, name);
    fs.copyFileSync(FAKE_DLL, `${to}.tmp`);
    fs.renameSync(`${to}.tmp`, to);
  }
}

/** Wine maps the Unix root to drive Z:. */
export const winPath = (p: string): string => `Z:${path.resolve(p).replace(/\//g, '\\')}`;

/** What a wine process needs from the environment; everything else is the caller's. */
export const wineBaseEnv = (): Record<string, string> => ({
  WINEPREFIX,
  WINEDEBUG: '-all',
  HOME: process.env.HOME ?? os.homedir(),
  PATH: process.env.PATH ?? '/usr/bin:/bin',
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface WineServer {
  pid: number;
  stop(): Promise<void>;
}

/** A persistent wineserver for this prefix, plus `wineboot` so that its services are up. */
export async function startWineServer(): Promise<WineServer> {
  if (!fs.existsSync(path.join(WINEPREFIX, '.nat-cni-ready'))) {
    throw new Error(
      `no Wine prefix at ${WINEPREFIX}: run \`make test\` (or make ${path.relative(REPO, WINEPREFIX)}/.nat-cni-ready) first`,
    );
  }
  installFakeHns();
  const server = spawn(WINESERVER, ['--foreground', '--persistent'], {
    env: wineBaseEnv(),
    stdio: 'ignore',
    detached: true,
  });
  const pid = server.pid;
  if (pid === undefined) throw new Error('cannot start wineserver');
  server.unref();
  const boot = spawnSync(WINE64, ['wineboot'], { env: wineBaseEnv(), stdio: 'ignore', timeout: 120_000 });
  if (boot.status !== 0) {
    process.kill(pid);
    throw new Error(`wineboot failed: status ${boot.status} ${boot.error?.message ?? ''}`);
  }
  return {
    pid,
    async stop() {
      if (!alive(pid)) return;
      // `wineserver -k` ends the Wine processes of this prefix (services.exe, winedevice.exe ...)
      // and then the server; a server killed by signal would leave them orphaned and hung.
      spawnSync(WINESERVER, ['-k'], { env: wineBaseEnv(), stdio: 'ignore', timeout: 30_000 });
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

export interface WineRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a Windows exe under Wine with `env` (plus Wine's own variables), stdin `input`, stderr to a file. */
export function runWine(
  exe: string,
  args: string[],
  env: Record<string, string>,
  input = '',
  timeoutMs = 60_000,
): WineRun {
  const errFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nat-exe-err-')), 'stderr');
  const fd = fs.openSync(errFile, 'w');
  const started = Date.now();
  try {
    const r = spawnSync(WINE64, [exe, ...args], {
      env: { ...wineBaseEnv(), ...env },
      input,
      stdio: ['pipe', 'pipe', fd],
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    return {
      status: r.status,
      stdout: r.stdout.toString('utf8'),
      stderr: fs.readFileSync(errFile, 'utf8'),
      ms: Date.now() - started,
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(path.dirname(errFile), { recursive: true, force: true });
  }
}

export interface SimServer {
  stateDir: string;
  addr: string;
  sim(args: string[]): string;
  stop(): Promise<void>;
}

/** `hns-sim serve` on loopback over a fresh state folder: the HNS the fake DLL forwards to. */
export async function startSimServer(): Promise<SimServer> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-exe-hns-'));
  const child = spawn(HNS_SIM, ['--state', stateDir, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const addr = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`hns-sim serve exited with ${code}: ${out}`)));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /listening (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  child.removeAllListeners('exit');
  return {
    stateDir,
    addr,
    sim: (args) => {
      const r = spawnSync(HNS_SIM, ['--state', stateDir, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`hns-sim ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A Linux executable that runs `exe` under Wine, for callers that start plugins as Linux programs
 * with a clean environment (the conformance suite): the Wine variables are written in, the plugin's
 * stderr goes through a file and is then both passed on and appended to `stderrLog`.
 */
export function writeWineWrapper(dir: string, exe: string, stderrLog: string): string {
  const file = path.join(dir, 'nat-under-wine');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      `export WINEPREFIX=${q(WINEPREFIX)} WINEDEBUG=-all HOME=${q(wineBaseEnv().HOME as string)}`,
      'err=$(mktemp)',
      `${q(WINE64)} ${q(exe)} "$@" 2>"$err"`,
      'rc=$?',
      'cat "$err" >&2',
      `cat "$err" >>${q(stderrLog)}`,
      'rm -f "$err"',
      'exit $rc',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

/** Lines the fake computenetwork.dll prints when a call's arguments look wrong (a bad FFI signature). */
export const fakeDllComplaints = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.includes('fake computenetwork:'));

/** runWine without blocking, for concurrent plugin calls. */
export function runWineAsync(
  exe: string,
  env: Record<string, string>,
  input = '',
  args: string[] = [],
): Promise<WineRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-exe-err-'));
  const errFile = path.join(dir, 'stderr');
  const fd = fs.openSync(errFile, 'w');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(WINE64, [exe, ...args], { env: { ...wineBaseEnv(), ...env }, stdio: ['pipe', 'pipe', fd] });
    fs.closeSync(fd);
    const out: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (status) => {
      const stderr = fs.readFileSync(errFile, 'utf8');
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: Date.now() - started });
    });
    child.stdin?.end(input);
  });
}
