/**
 * A bound on how long one plugin call may hold its network lock. Everything under the lock is
 * synchronous (FFI calls into HNS, the log's file system calls, the IPAM plugin's spawnSync), so a
 * call stuck in any of them cannot be timed out from its own thread, and every other call on that
 * network would wait behind it. A worker thread can: it sleeps until the holder says it is done,
 * and if the bound passes first it writes the CNI error object to stdout and kills the process.
 * The kernel mutex is then abandoned (the next waiter gets it) and a lock file's owner is dead
 * (taken over), so the network is free again; HNS may hold half of the call's work, which the
 * runtime's retry (code 11) cleans up as any retried ADD or DEL does.
 */
import { Worker } from 'node:worker_threads';
import { CniCode } from '../spec/errors';

/** The default bound: the IPAM plugin's own timeout (60 s) plus time for the HNS calls. */
export const DEFAULT_LOCK_HOLD_MS = 90_000;

export interface WatchdogOptions {
  holdMs: number;
  /** The cniVersion of the error object, the request's. */
  cniVersion: string;
  /** Named in the message: what is being held. */
  what: string;
}

export interface Watchdog {
  stop(): void;
}

// Plain JavaScript for the worker (it runs from a string, outside the bundle).
const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
if (Atomics.wait(workerData.cell, 0, 0, workerData.holdMs) === 'timed-out') {
  try { fs.writeSync(1, workerData.answer); } catch {}
  try { fs.writeSync(2, workerData.line); } catch {}
  process.kill(process.pid, 'SIGKILL');
}`;

export function watchdogAnswer(options: WatchdogOptions): { answer: string; line: string } {
  const msg = `this call held ${options.what} for ${options.holdMs} ms without finishing (stuck in HNS, the log or the IPAM plugin) and was ended, so that other calls on the network can go on; retry`;
  return {
    answer: `${JSON.stringify({ cniVersion: options.cniVersion, code: CniCode.TryAgainLater, msg })}\n`,
    line: `nat-cni: ${msg}\n`,
  };
}

export function startWatchdog(options: WatchdogOptions): Watchdog {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // stdout/stderr true: the worker's streams are not piped to ours, so that creating it does not
  // touch process.stdout (a stream on a pipe fails under Wine; the plugin writes fd 1 directly).
  const worker = new Worker(WORKER, {
    eval: true,
    stdout: true,
    stderr: true,
    workerData: { cell, holdMs: options.holdMs, ...watchdogAnswer(options) },
  });
  // Never the reason the process stays alive; errors of the thread itself are not the call's.
  worker.unref();
  worker.on('error', () => undefined);
  return {
    stop() {
      Atomics.store(cell, 0, 1);
      Atomics.notify(cell, 0);
    },
  };
}
