/**
 * Serialises plugin processes per network (the Go plugin only has an in-process mutex, so
 * concurrent first ADDs race on network creation and ADD/DEL of one endpoint interleave).
 *
 * On Windows the lock is a named kernel mutex, which the OS hands to the next waiter if the owner
 * dies (WAIT_ABANDONED). Its name is predictable, so it is created with a descriptor of our own
 * (SYSTEM and Administrators only), and a mutex someone else created first is refused at once
 * (code 105), not waited for. Elsewhere (the simulator) it is a lock file per network, taken over
 * when its owner process is gone (hns/lockfile.ts). Both are synchronous, because the plugin's HNS
 * calls are synchronous FFI calls made while the lock is held; and the time a call may hold it is
 * bounded by a watchdog thread (./watchdog.ts), whatever blocks that call.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CniCode, CniError } from '../spec/errors';
import { LockTimeoutError, withLock } from '../hns/lockfile';
import { makeDirsSync } from '../hns/mkdir';
import { UntrustedObjectError, closeHandle, createTrustedMutex } from '../hns/ffi/security';
import { NatCode } from './errors';
import { startWatchdog, type WatchdogOptions } from './watchdog';
import type * as KoffiModule from 'koffi';

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

export interface NetworkLockOptions {
  /** How long to wait for another plugin process to finish with this network. */
  timeoutMs?: number;
  /** Folder of the lock files off Windows (the simulator's state folder); default under os.tmpdir(). */
  dir?: string;
  platform?: NodeJS.Platform;
  /** Told when the previous owner died holding the lock (Windows: WAIT_ABANDONED). */
  log?: { warn(msg: string, fields?: Record<string, unknown>): void };
  /** The bound on holding the lock; without it the lock is held as long as `fn` runs. */
  watchdog?: Omit<WatchdogOptions, 'what'>;
}

export const defaultLockDir = (): string => path.join(os.tmpdir(), 'nat-cni-locks');

/**
 * A fixed-length, separator-free token for a network name. Hashed because kernel object names may
 * not contain `\` after the namespace prefix and are limited to MAX_PATH characters, and a file
 * name has its own forbidden characters; CNI network names are not bounded in length.
 */
export function networkLockToken(network: string): string {
  return `nat-cni-${createHash('sha256').update(network, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The mutex name: `Global\` so that processes in every session (services, users) share it. */
export const networkMutexName = (network: string): string => `Global\\${networkLockToken(network)}`;

export const networkLockFile = (network: string): string => `${networkLockToken(network)}.lock`;

const timedOut = (network: string, timeoutMs: number, what: string) =>
  new CniError(
    CniCode.TryAgainLater,
    `timed out after ${timeoutMs} ms waiting for the lock on network "${network}": another plugin call on this network is still running`,
    what,
  );

function checkTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new CniError(CniCode.Internal, `invalid lock timeout: ${timeoutMs} ms`);
  }
  return Math.floor(timeoutMs);
}

/** Run `fn` while holding the cross-process lock of `network`; its result or exception passes through. */
export function withNetworkLock<T>(network: string, options: NetworkLockOptions, fn: () => T): T {
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const guarded = options.watchdog
    ? () => {
        const dog = startWatchdog({ ...options.watchdog!, what: `the lock of network "${network}"` });
        try {
          return fn();
        } finally {
          dog.stop();
        }
      }
    : fn;
  if ((options.platform ?? process.platform) === 'win32') return withMutex(network, timeoutMs, options, guarded);
  return withLockFile(network, timeoutMs, options.dir ?? defaultLockDir(), guarded);
}

/**
 * The lock folder off Windows: ours, a real folder, and writable by nobody else, or another user
 * could plant or hold our locks (a folder pre-created in a shared temp folder, or a link).
 */
export function checkLockDir(dir: string, uid: number | undefined = process.getuid?.()): void {
  const st = fs.lstatSync(dir);
  const why = !st.isDirectory()
    ? 'is not a folder'
    : uid !== undefined && st.uid !== uid
      ? `is owned by uid ${st.uid}, not by us (uid ${uid})`
      : (st.mode & 0o022) !== 0
        ? `is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`
        : undefined;
  if (why) throw new CniError(NatCode.Untrusted, `refusing the lock folder ${dir}: it ${why}`);
}

function withLockFile<T>(network: string, timeoutMs: number, dir: string, fn: () => T): T {
  // Owner-only, so that other users cannot pre-create or hold our locks (umask may only narrow it).
  makeDirsSync(dir, 0o700);
  checkLockDir(dir);
  let entered = false;
  try {
    return withLock(
      dir,
      timeoutMs,
      () => {
        entered = true;
        return fn();
      },
      networkLockFile(network),
    );
  } catch (e) {
    // Only our own wait becomes code 11; a timeout raised inside `fn` is not ours to translate.
    if (!entered && e instanceof LockTimeoutError) throw timedOut(network, timeoutMs, e.message);
    throw e;
  }
}

// --- Windows: a named mutex through kernel32 -------------------------------------------------

const WAIT_OBJECT_0 = 0x0;
const WAIT_ABANDONED = 0x80;
const WAIT_TIMEOUT = 0x102;
/** WaitForSingleObject's INFINITE; the longest finite wait is one less. */
const MAX_WAIT_MS = 0xfffffffe;

interface Kernel32 {
  WaitForSingleObject(handle: unknown, ms: number): number;
  ReleaseMutex(handle: unknown): number;
  GetLastError(): number;
}

let kernel32: Kernel32 | undefined;

/**
 * Loaded on first use, so that other platforms never pay for koffi. A require() inside the function
 * (as in hns/ffi/library.ts): a top-level `import koffi = require('koffi')` would load the native
 * addon at start-up, and `import koffi from 'koffi'` would pick koffi's ESM build, which breaks in
 * our CommonJS bundles.
 */
function loadKernel32(): Kernel32 {
  if (kernel32) return kernel32;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi only on Windows, when a lock is taken
  const koffi = require('koffi') as typeof KoffiModule;
  const lib = koffi.load('kernel32.dll');
  kernel32 = {
    WaitForSingleObject: lib.func('uint32_t __stdcall WaitForSingleObject(void *handle, uint32_t ms)'),
    ReleaseMutex: lib.func('int __stdcall ReleaseMutex(void *handle)'),
    GetLastError: lib.func('uint32_t __stdcall GetLastError()'),
  };
  return kernel32;
}

/**
 * Code 105, not 11: a retry cannot help while another account holds the name, and retrying
 * for ever would hide the attack; the message says what to look at.
 */
const untrusted = (network: string, e: UntrustedObjectError) =>
  new CniError(
    NatCode.Untrusted,
    `refusing the lock of network "${network}": ${e.message}`,
    'the mutex name is predictable; find and stop the process that created it',
  );

function withMutex<T>(network: string, timeoutMs: number, options: NetworkLockOptions, fn: () => T): T {
  const k = loadKernel32();
  const name = networkMutexName(network);
  let handle: unknown;
  try {
    handle = createTrustedMutex(name);
  } catch (e) {
    if (e instanceof UntrustedObjectError) throw untrusted(network, e);
    throw new CniError(
      CniCode.Internal,
      `cannot create the lock of network "${network}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    const waited = k.WaitForSingleObject(handle, Math.min(timeoutMs, MAX_WAIT_MS));
    if (waited === WAIT_TIMEOUT) throw timedOut(network, timeoutMs, `mutex ${name}`);
    if (waited === WAIT_ABANDONED) {
      // We own it now; the previous owner died mid-call, so HNS may hold its half-done work.
      options.log?.warn('the previous owner of the network lock died while holding it', { network, mutex: name });
    } else if (waited !== WAIT_OBJECT_0) {
      throw new CniError(
        CniCode.Internal,
        `cannot wait for the lock of network "${network}": WaitForSingleObject(${name}) returned ${waited}, error ${k.GetLastError()}`,
      );
    }
    try {
      return fn();
    } finally {
      k.ReleaseMutex(handle);
    }
  } finally {
    closeHandle(handle);
  }
}
