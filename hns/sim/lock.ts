/**
 * A cross-process lock on the state folder, so that plugin processes are serialised as calls into
 * the real service are. The lock file is created with O_EXCL and holds the owner's PID; a lock whose
 * owner is dead is taken over. The take-over itself runs under a short-lived second lock, so two
 * waiters cannot both remove a stale lock and one of them remove the other's fresh one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sleepSync } from './sleep';

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

const LOCK = 'state.lock';
const STEAL_SUFFIX = '.steal';
/** A take-over lock older than this belongs to a process that died mid take-over. */
const STEAL_STALE_MS = 5_000;

function tryCreate(file: string): boolean {
  try {
    fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the lock if its owner is dead; true when it did (or the lock vanished meanwhile). */
function takeOverStale(dir: string, name: string): boolean {
  const lock = path.join(dir, name);
  const steal = path.join(dir, `${name}${STEAL_SUFFIX}`);
  if (!tryCreate(steal)) {
    try {
      if (Date.now() - fs.statSync(steal).mtimeMs > STEAL_STALE_MS) fs.rmSync(steal, { force: true });
    } catch {
      // gone already
    }
    return false;
  }
  try {
    const owner = readOwner(lock);
    // A lock file without a PID may be one being written right now: leave it unless it is old.
    if (owner === undefined) {
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs < STEAL_STALE_MS) return false;
      } catch {
        return true;
      }
    } else if (isAlive(owner)) {
      return false;
    }
    fs.rmSync(lock, { force: true });
    return true;
  } finally {
    fs.rmSync(steal, { force: true });
  }
}

/** `name` is the lock file in `dir` (the plugin keeps one per network next to the state lock). */
export function withLock<T>(dir: string, timeoutMs: number, fn: () => T, name: string = LOCK): T {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, name);
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  while (!tryCreate(lock)) {
    if (takeOverStale(dir, name)) continue;
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`timed out after ${timeoutMs} ms waiting for ${lock} (held by PID ${readOwner(lock) ?? '?'})`);
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
