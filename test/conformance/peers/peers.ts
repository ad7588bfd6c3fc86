/**
 * Helpers for the Go peer tests: build and run the drivers (dist/peers), and generate fake plugins
 * that record exactly what libcni / go-cni sent them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const LIBCNI_DRIVER = path.join(REPO, 'dist/peers/libcni-driver');
export const GOCNI_DRIVER = path.join(REPO, 'dist/peers/gocni-driver');
export const HOST_LOCAL_DIR = '/usr/lib/cni';

/** Builds the Linux drivers through their make targets (a no-op when they are up to date). */
export function ensureDrivers(): void {
  // Test files run in parallel processes: one make at a time, so two never write one binary.
  fs.mkdirSync(path.join(REPO, 'build'), { recursive: true });
  const lock = path.join(REPO, 'build', 'peers.lock');
  execFileSync(
    'flock',
    [lock, 'make', '-s', '--no-print-directory', 'dist/peers/libcni-driver', 'dist/peers/gocni-driver'],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

export interface StepError {
  code: number;
  msg: string;
  details: string;
  text: string;
  goType: string;
}

export interface StepLine {
  step: string;
  ok: boolean;
  result?: unknown;
  error?: StepError;
  ms: number;
}

export interface DriverRun {
  status: number | null;
  lines: StepLine[];
  stderr: string;
  /** The one line of a step; throws when the step did not run exactly once. */
  step(name: string): StepLine;
}

export function runDriver(driver: string, args: string[], env: NodeJS.ProcessEnv = {}): DriverRun {
  const res = spawnSync(driver, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  if (res.error) throw res.error;
  const lines = res.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StepLine);
  return {
    status: res.status,
    lines,
    stderr: res.stderr,
    step(name) {
      const found = lines.filter((l) => l.step === name);
      if (found.length !== 1) {
        throw new Error(`step ${name} ran ${found.length} times; stdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
      }
      return found[0]!;
    },
  };
}

const tempDirs: string[] = [];

/** A fresh folder under the OS temp dir, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nat-cni-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function writeJson(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface FakePluginOptions {
  /** What ADD prints (exit 0). */
  addResult: unknown;
  /** VERSION's supportedVersions. */
  supportedVersions?: string[];
  /** Commands that fail: the error object printed, exit 1. */
  failOn?: Partial<Record<'ADD' | 'CHECK' | 'DEL', { code: number; msg: string; details?: string }>>;
}

/**
 * Writes an executable sh plugin `dir/type` that records every call into `dumpDir` (NNN.env with
 * `env -0`, NNN.stdin verbatim; NNN counts calls across every fake sharing the folder) and answers
 * from fixed JSON. sh and not node, so that a call costs milliseconds.
 */
export function writeFakePlugin(dir: string, type: string, dumpDir: string, opts: FakePluginOptions): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(dumpDir, { recursive: true });
  const versions = { cniVersion: '1.0.0', supportedVersions: opts.supportedVersions ?? ['0.3.1', '0.4.0', '1.0.0'] };
  const failures = Object.entries(opts.failOn ?? {}).map(
    ([cmd, err]) =>
      `if [ "$CNI_COMMAND" = ${cmd} ]; then printf '%s' ${shQuote(JSON.stringify({ cniVersion: '1.0.0', ...err }))}; exit 1; fi`,
  );
  const script = [
    '#!/bin/sh',
    `d=${shQuote(dumpDir)}`,
    `n=$(printf '%03d' "$(ls "$d" | grep -c '[.]stdin$')")`,
    'env -0 > "$d/$n.env"',
    'cat > "$d/$n.stdin"',
    ...failures,
    'case "$CNI_COMMAND" in',
    `  VERSION) printf '%s' ${shQuote(JSON.stringify(versions))} ;;`,
    `  ADD) printf '%s' ${shQuote(JSON.stringify(opts.addResult))} ;;`,
    'esac',
    '',
  ].join('\n');
  const file = path.join(dir, type);
  fs.writeFileSync(file, script, { mode: 0o755 });
  return file;
}

export interface PluginCall {
  env: Record<string, string>;
  /** The raw stdin text, and its parse (undefined when empty). */
  raw: string;
  stdin: Record<string, unknown> | undefined;
}

/** Every call recorded in dumpDir, in call order. */
export function readCalls(dumpDir: string): PluginCall[] {
  return fs
    .readdirSync(dumpDir)
    .filter((f) => f.endsWith('.stdin'))
    .sort()
    .map((f) => {
      const base = path.join(dumpDir, f.slice(0, -'.stdin'.length));
      const env: Record<string, string> = {};
      for (const entry of fs.readFileSync(`${base}.env`, 'utf8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      const raw = fs.readFileSync(`${base}.stdin`, 'utf8');
      return { env, raw, stdin: raw.trim() === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>) };
    });
}

/** Removes the recorded calls, so the next step's calls can be read alone. */
export function clearCalls(dumpDir: string): void {
  for (const f of fs.readdirSync(dumpDir)) fs.rmSync(path.join(dumpDir, f));
}

/** A host-local conflist whose IPAM state lives in dataDir (host-local needs no netns, no privileges). */
export function hostLocalConflist(name: string, subnet: string, dataDir: string): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name,
    plugins: [{ type: 'host-local', ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir } }],
  };
}
