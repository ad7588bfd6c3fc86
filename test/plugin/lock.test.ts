import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { LockTimeoutError } from '../../hns/lockfile';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  checkLockDir,
  networkLockFile,
  networkLockToken,
  networkMutexName,
  withNetworkLock,
} from '../../plugin/lock';
import { lockHoldMs } from '../../plugin/deps';
import { DEFAULT_IPAM_TIMEOUT_MS } from '../../plugin/ipam';
import { DEFAULT_LOCK_HOLD_MS } from '../../plugin/watchdog';

const REPO = path.resolve(__dirname, '../..');
let work: string;
let lockModule: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-lock-'));
  lockModule = path.join(work, 'lock.cjs');
  // The module as the plugin bundle carries it; koffi stays out (never loaded off Windows).
  buildSync({
    entryPoints: [path.join(REPO, 'plugin/lock.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['koffi'],
    outfile: lockModule,
    logLevel: 'warning',
  });
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

const freshDir = () => fs.mkdtempSync(path.join(work, 'locks-'));

/** A child process that takes the lock of `network`, writes `marker` and then runs `body` (JS). */
function holder(
  network: string,
  dir: string,
  marker: string,
  body: string,
  extraEnv: Record<string, string> = {},
): ChildProcess {
  const script = `
    const fs = require('node:fs');
    const { withNetworkLock } = require(process.env.LOCK_MODULE);
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const watchdog = process.env.HOLD_MS ? { holdMs: Number(process.env.HOLD_MS), cniVersion: '1.0.0' } : undefined;
    withNetworkLock(process.env.NET, { dir: process.env.DIR, platform: 'linux', watchdog }, () => {
      fs.writeFileSync(process.env.MARKER, String(process.pid));
      ${body}
    });`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, LOCK_MODULE: lockModule, NET: network, DIR: dir, MARKER: marker, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitFor(file: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
  );

describe('lock names', () => {
  it('hashes the network name into a short token without separators', () => {
    const t = networkLockToken('nat');
    expect(t).toMatch(/^nat-cni-[0-9a-f]{16}$/);
    expect(networkLockToken('nat')).toBe(t);
    expect(networkLockToken('nat2')).not.toBe(t);
    expect(networkLockToken('NAT')).not.toBe(t);
  });

  it('gives a Global mutex name of bounded length even for very long or odd names', () => {
    for (const name of ['x'.repeat(5000), 'a\\b/c:d', 'réseau']) {
      const m = networkMutexName(name);
      expect(m.startsWith('Global\\nat-cni-')).toBe(true);
      expect(m.slice('Global\\'.length)).not.toContain('\\');
      expect(m.length).toBeLessThan(260);
      expect(networkLockFile(name)).toMatch(/^nat-cni-[0-9a-f]{16}\.lock$/);
    }
  });
});

describe('withNetworkLock (lock file)', () => {
  it('returns the result of fn and leaves no lock file behind', () => {
    const dir = freshDir();
    const seen: string[] = [];
    const out = withNetworkLock('nat', { dir, platform: 'linux' }, () => {
      seen.push(...fs.readdirSync(dir));
      return 42;
    });
    expect(out).toBe(42);
    expect(seen).toContain(networkLockFile('nat'));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('releases the lock when fn throws, and passes the error through unchanged', () => {
    const dir = freshDir();
    const boom = new Error('boom');
    expect(() =>
      withNetworkLock('nat', { dir, platform: 'linux' }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(fs.readdirSync(dir)).toEqual([]);
    // A lock timeout raised inside fn (e.g. by the simulator's own lock) is not ours to turn into code 11.
    const inner = new LockTimeoutError('inner');
    let caught: unknown;
    try {
      withNetworkLock('nat', { dir, platform: 'linux' }, () => {
        throw inner;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(inner);
  });

  it('creates its folder owner-only', () => {
    const dir = path.join(freshDir(), 'sub', 'locks');
    withNetworkLock('nat', { dir, platform: 'linux' }, () => undefined);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a lock folder that others may write to, that is not ours, or that is not a folder (code 105)', () => {
    const open = freshDir();
    fs.chmodSync(open, 0o777);
    expect(() => withNetworkLock('nat', { dir: open, platform: 'linux' }, () => 1)).toThrow(
      /writable by group or others \(mode 777\)/,
    );
    const link = path.join(freshDir(), 'link');
    fs.symlinkSync(freshDir(), link);
    expect(() => checkLockDir(link)).toThrow(/not a folder/);
    let err: unknown;
    try {
      checkLockDir(freshDir(), 4242);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ code: 105, msg: expect.stringContaining('not by us (uid 4242)') });
  });

  it('refuses a nonsensical timeout', () => {
    expect(() => withNetworkLock('nat', { dir: freshDir(), platform: 'linux', timeoutMs: -1 }, () => 1)).toThrow(
      CniError,
    );
    expect(() =>
      withNetworkLock('nat', { dir: freshDir(), platform: 'linux', timeoutMs: Number.NaN }, () => 1),
    ).toThrow(/invalid lock timeout/);
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBeGreaterThanOrEqual(10_000);
  });

  it('times out with code 11 naming the network while another process holds the lock', async () => {
    const dir = freshDir();
    const marker = path.join(dir, '..', `held-${path.basename(dir)}`);
    const child = holder('busy-net', dir, marker, 'sleep(20000);');
    await waitFor(marker);

    const started = Date.now();
    let err: unknown;
    try {
      withNetworkLock('busy-net', { dir, platform: 'linux', timeoutMs: 300 }, () => 'never');
    } catch (e) {
      err = e;
    }
    const waited = Date.now() - started;
    expect(err).toBeInstanceOf(CniError);
    expect((err as CniError).code).toBe(11);
    expect((err as CniError).msg).toContain('"busy-net"');
    expect((err as CniError).msg).toContain('300 ms');
    expect((err as CniError).details).toContain(`PID ${child.pid}`);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(5_000);

    // Another network is not held up by it.
    expect(withNetworkLock('other-net', { dir, platform: 'linux', timeoutMs: 300 }, () => 'free')).toBe('free');

    child.kill('SIGKILL');
    await exited(child);
  });

  it('takes over the lock of an owner that died holding it', async () => {
    const dir = freshDir();
    const marker = path.join(dir, '..', `dead-${path.basename(dir)}`);
    const child = holder('net', dir, marker, 'sleep(20000);');
    await waitFor(marker);
    child.kill('SIGKILL');
    await exited(child);
    // The dead owner's file is still there ...
    expect(fs.readFileSync(path.join(dir, networkLockFile('net')), 'utf8').split(' ')[0]).toBe(String(child.pid));
    // ... and is taken over well within the timeout.
    const started = Date.now();
    expect(withNetworkLock('net', { dir, platform: 'linux', timeoutMs: 5_000 }, () => 'mine')).toBe('mine');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('waits for a live owner and gets the lock once it is released', async () => {
    const dir = freshDir();
    const marker = path.join(dir, '..', `brief-${path.basename(dir)}`);
    holder('net', dir, marker, 'sleep(400);');
    await waitFor(marker);
    const started = Date.now();
    const out = withNetworkLock('net', { dir, platform: 'linux', timeoutMs: 10_000 }, () => 'after');
    expect(out).toBe('after');
    expect(Date.now() - started).toBeGreaterThan(100);
  });

  it('strictly serialises the critical sections of contending processes', () => {
    const dir = freshDir();
    const journal = path.join(dir, '..', `journal-${path.basename(dir)}`);
    const counter = path.join(dir, '..', `counter-${path.basename(dir)}`);
    fs.writeFileSync(counter, '0');
    const rounds = 15;
    const workers = 4;
    // Each critical section logs enter/leave and increments a counter non-atomically (read, wait,
    // write): any overlap shows up as interleaved journal lines or a lost increment.
    const script = `
      const fs = require('node:fs');
      const { withNetworkLock } = require(process.env.LOCK_MODULE);
      const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      for (let i = 0; i < ${rounds}; i++) {
        withNetworkLock('shared', { dir: process.env.DIR, platform: 'linux', timeoutMs: 60000 }, () => {
          fs.appendFileSync(process.env.JOURNAL, 'enter ' + process.pid + '\\n');
          const n = Number(fs.readFileSync(process.env.COUNTER, 'utf8'));
          sleep(2);
          fs.writeFileSync(process.env.COUNTER, String(n + 1));
          fs.appendFileSync(process.env.JOURNAL, 'leave ' + process.pid + '\\n');
        });
      }`;
    // One shell starts every worker at once and waits for all of them.
    const launch = Array.from({ length: workers }, () => `"${process.execPath}" -e "$SCRIPT" &`).join(' ');
    const r = spawnSync('/bin/sh', ['-c', `${launch} wait`], {
      env: { ...process.env, SCRIPT: script, LOCK_MODULE: lockModule, DIR: dir, JOURNAL: journal, COUNTER: counter },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');

    const lines = fs.readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2 * rounds * workers);
    for (let i = 0; i < lines.length; i += 2) {
      const [enter, leave] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
      expect(enter[0]).toBe('enter');
      expect(leave[0]).toBe('leave');
      expect(leave[1]).toBe(enter[1]);
    }
    expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(workers);
    expect(Number(fs.readFileSync(counter, 'utf8'))).toBe(rounds * workers);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('withNetworkLock: PID reuse and the bound on holding', () => {
  it('takes over at once a lock whose PID now belongs to another process (same PID, other start time)', () => {
    const dir = freshDir();
    // Our own PID, alive, but with a start time that is not ours: what a recycled PID looks like.
    fs.writeFileSync(path.join(dir, networkLockFile('net')), `${process.pid} 1\n`);
    const started = Date.now();
    expect(withNetworkLock('net', { dir, platform: 'linux', timeoutMs: 5_000 }, () => 'mine')).toBe('mine');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('still waits for a live owner recorded with its true start time', async () => {
    const dir = freshDir();
    const marker = path.join(dir, '..', `true-${path.basename(dir)}`);
    const child = holder('net', dir, marker, 'sleep(20000);');
    await waitFor(marker);
    const [pid, start] = fs
      .readFileSync(path.join(dir, networkLockFile('net')), 'utf8')
      .trim()
      .split(' ');
    expect(pid).toBe(String(child.pid));
    expect(start).toMatch(/^[0-9]+$/);
    expect(() => withNetworkLock('net', { dir, platform: 'linux', timeoutMs: 300 }, () => 'never')).toThrow(
      /timed out/,
    );
    child.kill('SIGKILL');
    await exited(child);
  });

  it('ends a holder stuck past the bound: a CNI error (code 11) on stdout, and the lock is free again', async () => {
    const dir = freshDir();
    const marker = path.join(dir, '..', `stuck-${path.basename(dir)}`);
    const child = holder('net', dir, marker, 'for (;;) sleep(1000);', { HOLD_MS: '400' });
    let stdout = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    const started = Date.now();
    await waitFor(marker);
    await exited(child);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.signalCode).toBe('SIGKILL');
    const answer = JSON.parse(stdout) as { cniVersion: string; code: number; msg: string };
    expect(answer).toMatchObject({ cniVersion: '1.0.0', code: 11 });
    expect(answer.msg).toContain('the lock of network "net"');
    expect(withNetworkLock('net', { dir, platform: 'linux', timeoutMs: 2_000 }, () => 'free')).toBe('free');
  });

  it('takes its bound from NAT_CNI_LOCK_HOLD_MS only to shorten it', () => {
    expect(lockHoldMs({})).toBe(DEFAULT_LOCK_HOLD_MS);
    expect(lockHoldMs({ NAT_CNI_LOCK_HOLD_MS: '1500' })).toBe(1500);
    for (const v of ['0', '-5', 'x', '1.5', String(DEFAULT_LOCK_HOLD_MS + 1)]) {
      expect(lockHoldMs({ NAT_CNI_LOCK_HOLD_MS: v }), v).toBe(DEFAULT_LOCK_HOLD_MS);
    }
    // Longer than the IPAM plugin's own timeout (60 s): a legitimate IPAM call is never cut short.
    expect(DEFAULT_LOCK_HOLD_MS).toBeGreaterThan(DEFAULT_IPAM_TIMEOUT_MS);
  });

  it('lets a holder that finishes in time return normally (the watchdog is stopped)', () => {
    const dir = freshDir();
    const out = withNetworkLock(
      'net',
      { dir, platform: 'linux', watchdog: { holdMs: 200, cniVersion: '1.0.0' } },
      () => 'done',
    );
    expect(out).toBe('done');
    // Had the watchdog not been stopped it would kill this very process now.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  });
});
