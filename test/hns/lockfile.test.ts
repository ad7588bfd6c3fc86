/** The lock file's owner identity (PID and start time) and the bounded mkdir, at unit level. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOwner, ownerHolds, parseOwner, processStart, startFromProcStat, withLock } from '../../hns/lockfile';
import { makeDirsSync } from '../../hns/mkdir';

describe('the owner of a lock', () => {
  it('is written as "PID START" and read back; anything else is no owner', () => {
    expect(formatOwner({ pid: 42, start: '123' })).toBe('42 123\n');
    expect(parseOwner('42 123\n')).toEqual({ pid: 42, start: '123' });
    expect(parseOwner('42\n')).toEqual({ pid: 42 });
    for (const bad of ['', '42', '42 \n', '0\n', '-1\n', 'x\n', '42 12a\n', '99999999999999999999\n'])
      expect(parseOwner(bad), bad).toBeUndefined();
  });

  it('holds only while its PID lives with the same start time', () => {
    expect(ownerHolds({ pid: 7, start: '1' }, { alive: true, start: '1' })).toBe(true);
    expect(ownerHolds({ pid: 7, start: '1' }, { alive: true, start: '2' })).toBe(false);
    expect(ownerHolds({ pid: 7, start: '1' }, { alive: false, start: '1' })).toBe(false);
    // Unknown on either side: the PID alone decides.
    expect(ownerHolds({ pid: 7 }, { alive: true, start: '2' })).toBe(true);
    expect(ownerHolds({ pid: 7, start: '1' }, { alive: true })).toBe(true);
  });

  it("reads a Linux process's start time from /proc/<pid>/stat, whatever its command name", () => {
    // Each field after the state holds its own number (field 4 is the parent PID, 22 the start time).
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 4)).join(' ');
    expect(startFromProcStat(`1234 (a) b (c) R ${fields}`)).toBe('22');
    expect(startFromProcStat('garbage')).toBeUndefined();
    const mine = processStart(process.pid, 'linux');
    expect(mine).toMatch(/^[0-9]+$/);
    expect(processStart(process.pid, 'linux')).toBe(mine);
    // Another process, started later, has another start time (clock ticks: wait past one).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
    const child = spawnSync('/bin/sh', ['-c', 'cat /proc/$$/stat'], { encoding: 'utf8' });
    expect(startFromProcStat(child.stdout)).not.toBe(mine);
    expect(processStart(2 ** 22 + 12345, 'linux')).toBeUndefined();
  });

  it('takes over a lock planted with a live PID and a wrong start time, keeps one with the right one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockfile-'));
    try {
      fs.writeFileSync(path.join(dir, 'x.lock'), `${process.ppid} 1\n`);
      expect(withLock(dir, 2_000, () => 'mine', 'x.lock')).toBe('mine');
      fs.writeFileSync(
        path.join(dir, 'x.lock'),
        formatOwner({ pid: process.ppid, start: processStart(process.ppid, 'linux') }),
      );
      expect(() => withLock(dir, 200, () => 'never', 'x.lock')).toThrow(/timed out after 200 ms/);
      // A lock held past staleAfterMs is taken over even from a live owner.
      expect(withLock(dir, 2_000, () => 'stuck lock taken', 'x.lock', { staleAfterMs: 0 })).toBe('stuck lock taken');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('makeDirsSync', () => {
  it('creates missing parents and accepts an existing folder', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mkdirs-'));
    try {
      makeDirsSync(path.join(base, 'a', 'b', 'c'), 0o700);
      expect(fs.statSync(path.join(base, 'a', 'b', 'c')).isDirectory()).toBe(true);
      makeDirsSync(path.join(base, 'a', 'b', 'c'));
      fs.writeFileSync(path.join(base, 'file'), '');
      expect(() => makeDirsSync(path.join(base, 'file'))).toThrow(/EEXIST/);
      expect(() => makeDirsSync(path.join(base, 'file', 'sub'))).toThrow(/ENOTDIR/);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('fails at once under /proc, where a parent exists but refuses children (Node 20 loops there)', () => {
    const started = Date.now();
    expect(() => makeDirsSync('/proc/x/y')).toThrow(/ENOENT/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
