/**
 * A cross-process lock file, shared by the simulator (its state folder) and the plugin (its
 * network locks off Windows, the log's rotation). The file is created with O_EXCL and names its
 * owner by PID *and* start time: a PID alone is not an identity, since Windows and Linux hand a
 * freed PID to the next process, and a lock whose PID now belongs to someone else would otherwise
 * look held for ever. A lock whose owner is gone (or is another process under the same PID) is
 * taken over; the take-over itself runs under a short-lived second lock, so two waiters cannot
 * both remove a stale lock and one of them remove the other's fresh one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeDirsSync } from './mkdir';
import type * as KoffiModule from 'koffi';

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

const LOCK = 'state.lock';
const STEAL_SUFFIX = '.steal';
/** A take-over lock older than this belongs to a process that died mid take-over. */
const STEAL_STALE_MS = 5_000;

const cell = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number): void => void (ms > 0 && Atomics.wait(cell, 0, 0, ms));

// --- who owns a lock ------------------------------------------------------------------------

/** A process as a lock records it: its PID, and its start time where the platform tells it. */
export interface LockOwner {
  pid: number;
  /** Opaque, compared for equality only: clock ticks since boot (Linux), a FILETIME (Windows). */
  start?: string;
}

export function formatOwner(owner: LockOwner): string {
  return owner.start === undefined ? `${owner.pid}\n` : `${owner.pid} ${owner.start}\n`;
}

/** The owner written in a lock file; undefined for anything else (empty, half-written, garbage). */
export function parseOwner(text: string): LockOwner | undefined {
  const m = /^([1-9][0-9]*)(?: ([0-9]+))?\n$/.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid)) return undefined;
  return m[2] === undefined ? { pid } : { pid, start: m[2] };
}

/**
 * Whether the recorded owner still holds its lock, given what the system says about that PID now:
 * a dead PID releases it, and so does a live PID whose start time differs (a new process that
 * inherited the number). When either start time is unknown only the PID can be judged.
 */
export function ownerHolds(recorded: LockOwner, now: { alive: boolean; start?: string | undefined }): boolean {
  if (!now.alive) return false;
  return recorded.start === undefined || now.start === undefined || recorded.start === now.start;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: field 22 of /proc/<pid>/stat, after the command name (which may hold spaces and parens). */
export function startFromProcStat(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : undefined;
}

interface ProcessTimes {
  OpenProcess(access: number, inherit: number, pid: number): unknown;
  GetProcessTimes(handle: unknown, creation: bigint[], exit: bigint[], kernel: bigint[], user: bigint[]): number;
  CloseHandle(handle: unknown): number;
}
let processTimes: ProcessTimes | undefined;

/** Windows: the creation FILETIME from GetProcessTimes, loaded only when a lock is taken or judged. */
function windowsStart(pid: number): string | undefined {
  if (!processTimes) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi only on Windows, when a lock owner is judged
    const koffi = require('koffi') as typeof KoffiModule;
    const k32 = koffi.load('kernel32.dll');
    processTimes = {
      OpenProcess: k32.func('void * __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)'),
      GetProcessTimes: k32.func(
        'int __stdcall GetProcessTimes(void *h, _Out_ uint64_t *creation, _Out_ uint64_t *exit, _Out_ uint64_t *kernel, _Out_ uint64_t *user)',
      ),
      CloseHandle: k32.func('int __stdcall CloseHandle(void *h)'),
    };
  }
  const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
  const h = processTimes.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (h === null || h === 0n) return undefined;
  try {
    const creation = [0n];
    const ok = processTimes.GetProcessTimes(h, creation, [0n], [0n], [0n]);
    return ok ? String(creation[0]) : undefined;
  } finally {
    processTimes.CloseHandle(h);
  }
}

/** The start time of `pid`, or undefined where it cannot be read (no /proc, no koffi, no access). */
export function processStart(pid: number, platform: NodeJS.Platform = process.platform): string | undefined {
  try {
    if (platform === 'linux') return startFromProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (platform === 'win32') return windowsStart(pid);
  } catch {
    // unknown: the PID alone decides
  }
  return undefined;
}

let self: LockOwner | undefined;
const selfOwner = (): LockOwner => {
  if (!self) {
    const start = processStart(process.pid);
    self = start === undefined ? { pid: process.pid } : { pid: process.pid, start };
  }
  return self;
};

// --- the lock -------------------------------------------------------------------------------

function tryCreate(file: string): boolean {
  try {
    fs.writeFileSync(file, formatOwner(selfOwner()), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return parseOwner(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const ageMs = (file: string): number | undefined => {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

export interface LockOptions {
  /**
   * A lock older than this is taken over whoever holds it. Only for locks held for a moment by
   * design (the log's rotation: two renames), where a holder that takes longer is stuck.
   */
  staleAfterMs?: number;
}

/** Remove the lock if its owner no longer holds it; true when it did (or the lock vanished meanwhile). */
function takeOverStale(dir: string, name: string, options: LockOptions): boolean {
  const lock = path.join(dir, name);
  const steal = path.join(dir, `${name}${STEAL_SUFFIX}`);
  if (!tryCreate(steal)) {
    const age = ageMs(steal);
    if (age !== undefined && age > STEAL_STALE_MS) fs.rmSync(steal, { force: true });
    return false;
  }
  try {
    const age = ageMs(lock);
    if (age === undefined) return true;
    const owner = readOwner(lock);
    const stuck = options.staleAfterMs !== undefined && age > options.staleAfterMs;
    if (!stuck) {
      // A lock file without an owner may be one being written right now: leave it unless it is old.
      if (owner === undefined) {
        if (age < STEAL_STALE_MS) return false;
      } else if (ownerHolds(owner, { alive: isAlive(owner.pid), start: processStart(owner.pid) })) {
        return false;
      }
    }
    fs.rmSync(lock, { force: true });
    return true;
  } finally {
    fs.rmSync(steal, { force: true });
  }
}

/** `name` is the lock file in `dir` (the plugin keeps one per network next to the state lock). */
export function withLock<T>(
  dir: string,
  timeoutMs: number,
  fn: () => T,
  name: string = LOCK,
  options: LockOptions = {},
): T {
  makeDirsSync(dir);
  const lock = path.join(dir, name);
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  while (!tryCreate(lock)) {
    if (takeOverStale(dir, name, options)) continue;
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${lock} (held by PID ${readOwner(lock)?.pid ?? '?'})`,
      );
    }
    sleepSync(wait);
    wait = Math.min(wait * 2, 20);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
