/**
 * The protocol layer's debug log (`DEBUG=nat-cni:spec`). It writes with `fs.writeSync(2)`, never
 * through process.stderr, for the same reason stdout is written that way (see stdin.ts).
 * `debug` (which loads node:tty and node:net) is required only when DEBUG is set: without it no
 * namespace is enabled (debug reads DEBUG once, at load), so every call is a no-op anyway.
 */
import type { Debugger } from 'debug';
import { format } from 'node:util';
import { writeAllSync } from './stdin';

let specDebug: Debugger | undefined;

function createSpecDebug(): Debugger {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a debug log is asked for
  const d = (require('debug') as typeof import('debug'))('nat-cni:spec');
  d.log = (...args: unknown[]) => {
    try {
      writeAllSync(2, `${format(...args)}\n`);
    } catch {
      // A log line must never turn into a plugin failure.
    }
  };
  return d;
}

export function log(formatter: string, ...args: unknown[]): void {
  if (!process.env.DEBUG) return;
  (specDebug ??= createSpecDebug())(formatter, ...args);
}
