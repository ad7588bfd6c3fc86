/**
 * Runs the plugin under test exactly as a runtime does: a separate process, the CNI variables in a
 * clean environment, the configuration on stdin, and nothing but stdout, stderr and the exit status
 * coming back.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';

/** What the plugin gets on fd 0. A directory and a closed descriptor provoke read failures (C-21). */
export type StdinSource = string | Buffer | { kind: 'directory'; path: string } | { kind: 'closed' };

export interface InvokeRequest {
  /** The whole environment of the child; nothing is inherited. */
  env: Record<string, string>;
  stdin: StdinSource;
  cwd?: string;
  timeoutMs: number;
}

export interface Invocation {
  command: string;
  env: Record<string, string>;
  stdinText: string;
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  durationMs: number;
}

function describeStdin(stdin: StdinSource): string {
  if (typeof stdin === 'string') return stdin;
  if (Buffer.isBuffer(stdin)) return stdin.toString('utf8');
  return stdin.kind === 'closed' ? '<closed descriptor>' : `<directory ${stdin.path}>`;
}

export function invokePlugin(plugin: string, req: InvokeRequest): Promise<Invocation> {
  const started = Date.now();
  let file = plugin;
  let args: string[] = [];
  let stdio: StdioOptions = ['pipe', 'pipe', 'pipe'];
  let dirFd: number | undefined;
  if (typeof req.stdin === 'object' && !Buffer.isBuffer(req.stdin)) {
    if (req.stdin.kind === 'closed') {
      // Node cannot start a child with fd 0 closed; a shell can, then becomes the plugin.
      file = '/bin/sh';
      args = ['-c', 'exec "$0" <&-', plugin];
      stdio = ['ignore', 'pipe', 'pipe'];
    } else {
      dirFd = fs.openSync(req.stdin.path, 'r');
      stdio = [dirFd, 'pipe', 'pipe'];
    }
  }
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: req.env, cwd: req.cwd, stdio });
    if (dirFd !== undefined) fs.closeSync(dirFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, req.timeoutMs);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      spawnError = e;
    });
    if (child.stdin) {
      // A plugin may exit without reading its input (VERSION); that is not our failure.
      child.stdin.on('error', () => undefined);
      const data = req.stdin;
      child.stdin.end(typeof data === 'string' || Buffer.isBuffer(data) ? data : undefined);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        command: req.env.CNI_COMMAND ?? '<unset>',
        env: req.env,
        stdinText: describeStdin(req.stdin),
        exitCode: spawnError ? 127 : code,
        signal: signal ?? null,
        timedOut,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr:
          Buffer.concat(err).toString('utf8') + (spawnError ? `\n[suite] spawn failed: ${spawnError.message}` : ''),
        durationMs: Date.now() - started,
      });
    });
  });
}
