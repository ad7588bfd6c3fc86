/** Shared plumbing for the FFI tests: building the fake, child processes, the scripted server. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { decodeFields, encodeFields, type Field, type WireRequest } from './fixtures/wire';
import koffi = require('koffi');

export const REPO = path.resolve(__dirname, '../../..');
export const FAKE_SO = path.join(REPO, 'dist/libcomputenetwork.so');
export const FAKE_DLL = path.join(REPO, 'dist/computenetwork.dll');

/** Builds the fake library through its make target, as `make test` does. */
export function buildFake(target: 'dist/libcomputenetwork.so' | 'dist/computenetwork.dll'): string {
  execFileSync('make', ['-s', target], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(REPO, target);
}

const bundles = new Map<string, string>();
let bundleDir: string | undefined;

/** Bundles a TS entry (fixtures/...) for a child `node`; koffi stays external and is found via NODE_PATH. */
export function bundle(entry: string): string {
  const cached = bundles.get(entry);
  if (cached) return cached;
  bundleDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-ffi-test-'));
  const outfile = path.join(bundleDir, path.basename(entry).replace(/\.ts$/, '.cjs'));
  buildSync({
    entryPoints: [path.join(__dirname, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['koffi'],
    outfile,
    logLevel: 'error',
  });
  bundles.set(entry, outfile);
  return outfile;
}

/** Removes the bundles made by this test file's process. */
export function removeBundles(): void {
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundles.clear();
}

export const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_PATH: path.join(REPO, 'node_modules'),
  ...extra,
});

/** One request/response exchange over the sim wire protocol, asynchronously (control calls only). */
export function wireCall(port: number, fields: Field[]): Promise<Field[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.createConnection({ host: '127.0.0.1', port }, () => socket.end(encodeFields(fields)));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => {
      try {
        resolve(decodeFields(Buffer.concat(chunks)));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    socket.on('error', reject);
  });
}

export type Scripted = { hr: number; out: Field[] } | { raw: string };

export interface ScriptedServer {
  port: number;
  addr: string;
  script(answers: Record<string, Scripted[]>): Promise<void>;
  /** The calls seen since the last log() or reset(). */
  log(): Promise<WireRequest[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const child: ChildProcess = spawn(process.execPath, [bundle('fixtures/scripted-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      const m = /LISTENING (\d+)/.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`scripted server exited with ${code}`)));
  });
  const ctl = (fn: string, args: string[]) => wireCall(port, [fn, String(args.length), ...args]);
  return {
    port,
    addr: `127.0.0.1:${port}`,
    async script(answers) {
      await ctl('ScriptSet', [JSON.stringify(answers)]);
    },
    async log() {
      const [, , text] = await ctl('ScriptLog', []);
      return JSON.parse(text ?? '[]') as WireRequest[];
    },
    async reset() {
      await ctl('ScriptReset', []);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A loopback port with nothing listening on it. */
export function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** FakeHcnOutstanding of the fake loaded in this process (dlopen hands back the same instance). */
export function outstandingCounter(library: string): () => { strings: number; handles: number } {
  const lib = koffi.load(library);
  const fn = lib.func('int32_t FakeHcnOutstanding(_Out_ int64_t *strings, _Out_ int64_t *handles)');
  return () => {
    const strings: [number | bigint] = [0];
    const handles: [number | bigint] = [0];
    fn(strings, handles);
    return { strings: Number(strings[0]), handles: Number(handles[0]) };
  };
}

/** HRESULT as the wire carries it (signed decimal). */
export const signed = (hr: number): number => hr | 0;

export const record = (hr: number, error: string): string =>
  JSON.stringify({ Success: false, Error: error, ErrorCode: hr >>> 0 });
