/** Shared helpers for the protocol-layer tests. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { expect } from 'vitest';
import type { DispatchOutput } from '../../spec';

export const REPO = path.resolve(__dirname, '../..');

/** A complete, valid environment for `command` (as libcni would send it), with overrides; `undefined` unsets. */
export function cniEnv(command: string | undefined, over: Record<string, string | undefined> = {}) {
  const env: Record<string, string | undefined> = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: 'ctr1',
    CNI_NETNS: '6f1c9a2e-0d4b-4b8e-9c3f-2a7d5e8b1c40',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: '',
    CNI_PATH: '/opt/cni/bin',
    ...over,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as Record<string, string>;
}

export const conf = (version: string | undefined, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      ...(version === undefined ? {} : { cniVersion: version }),
      name: 'natnet',
      type: 'nat',
      ...extra,
    }),
  );

/** The verdict E(code) of the conformance notes: exit ≠ 0 and one JSON error object on stdout. */
export function expectError(
  out: Pick<DispatchOutput, 'stdout' | 'exitCode'>,
  code: number,
  msg?: string | RegExp,
  details?: string,
) {
  expect(out.exitCode).not.toBe(0);
  const obj = JSON.parse(out.stdout) as Record<string, unknown>;
  expect(obj.code).toBe(code);
  expect(typeof obj.msg).toBe('string');
  expect(obj.msg).not.toBe('');
  if (typeof msg === 'string') expect(obj.msg).toBe(msg);
  else if (msg) expect(obj.msg).toMatch(msg);
  if (details !== undefined) expect(obj.details).toBe(details);
  return obj;
}

/** The verdict QUIET: exit 0, nothing on stdout. */
export function expectQuiet(out: Pick<DispatchOutput, 'stdout' | 'exitCode'>) {
  expect(out.stdout.trim()).toBe('');
  expect(out.exitCode).toBe(0);
}

export const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Bundle a TypeScript entry into `dir` as a Node CLI; returns the bundle path. */
export function bundle(entry: string, dir: string, name: string): string {
  const outfile = path.join(dir, name);
  buildSync({
    entryPoints: [path.join(REPO, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

export interface ProcessOutput extends DispatchOutput {
  signal: NodeJS.Signals | null;
}

/** Run a program as a runtime would: only the given environment, stdin as bytes (or an fd). */
export function runProcess(
  argv: readonly string[],
  env: Record<string, string>,
  stdin: Buffer | number,
  opts: { cwd?: string; timeout?: number } = {},
): ProcessOutput {
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    input: typeof stdin === 'number' ? undefined : stdin,
    stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'],
    cwd: opts.cwd,
    timeout: opts.timeout ?? 20_000,
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return {
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    exitCode: r.status ?? -1,
    signal: r.signal,
  };
}
