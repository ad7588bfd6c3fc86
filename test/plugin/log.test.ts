import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { createPluginLog, defaultLogPath, formatLogLine, logSlackBytes } from '../../plugin/log';
import { formatOwner, processStart } from '../../hns/lockfile';

const REPO = path.resolve(__dirname, '../..');
let work: string;
let logModule: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-log-'));
  logModule = path.join(work, 'log.cjs');
  buildSync({
    entryPoints: [path.join(REPO, 'plugin/log.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['koffi'],
    outfile: logModule,
    logLevel: 'warning',
  });
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
const freshFile = () => path.join(fs.mkdtempSync(path.join(work, `case${n++}-`)), 'logs', 'nat.log');

const readLines = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

/**
 * A plugin-like process: `body` (JS) runs with `log` = createPluginLog(OPTIONS), where OPTIONS is
 * the JSON in LOG_OPTIONS; env is the child's own.
 */
const childScript = (body: string) => `
  const { createPluginLog } = require(process.env.LOG_MODULE);
  const log = createPluginLog(JSON.parse(process.env.LOG_OPTIONS || '{}'));
  ${body}`;

function runChild(body: string, options: Record<string, unknown>, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['-e', childScript(body)], {
    env: { PATH: process.env.PATH, LOG_MODULE: logModule, LOG_OPTIONS: JSON.stringify(options), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('log lines', () => {
  it('are one JSON object per line with time, level, msg, pid and the fields', () => {
    const file = freshFile();
    const log = createPluginLog({ file, level: 'debug' });
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    log.info('network created', { network: 'nat', id: 'abc', nested: { list: [1, 'two'] } });
    log.error('ADD failed', { err: new CniError(11, 'busy', 'retry'), big: 2n ** 70n, cycle, msg: 'not the message' });
    log.close();

    const [first, second, ...rest] = readLines(file);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      level: 'info',
      msg: 'network created',
      pid: process.pid,
      network: 'nat',
      id: 'abc',
      nested: { list: [1, 'two'] },
    });
    expect(new Date(first!.time as string).toISOString()).toBe(first!.time);
    expect(Object.keys(first!).slice(0, 4)).toEqual(['time', 'level', 'msg', 'pid']);
    expect(second).toMatchObject({
      level: 'error',
      msg: 'ADD failed',
      big: (2n ** 70n).toString(),
      'fields.msg': 'not the message',
    });
    expect(second!.err).toMatchObject({ name: 'CniError', message: 'busy', code: 11, details: 'retry' });
    expect((second!.err as { stack: string }).stack).toContain('CniError: busy');
    expect(second!.cycle).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('keep the line when a field cannot be serialised', () => {
    const bad = {
      toJSON() {
        throw new Error('no JSON for you');
      },
    };
    const line = JSON.parse(formatLogLine('warn', 'odd\nmessage "quoted"', { bad })) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', msg: 'odd\nmessage "quoted"', fieldsError: 'no JSON for you' });
  });
});

describe('levels', () => {
  it('filters below the configured level', () => {
    const file = freshFile();
    const log = createPluginLog({ file, level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.close();
    expect(readLines(file).map((l) => l.level)).toEqual(['warn', 'error']);
  });

  it('defaults to info', () => {
    const file = freshFile();
    const log = createPluginLog({ file });
    log.debug('d');
    log.info('i');
    log.close();
    expect(readLines(file).map((l) => l.msg)).toEqual(['i']);
  });

  it('are raised by DEBUG namespaces, as with any debug-based tool', () => {
    const body = `log.debug('d'); log.info('i'); log.warn('w'); log.error('e');`;
    const all = freshFile();
    expect(runChild(body, { file: all, level: 'error' }, { DEBUG: 'nat-cni:*' }).status).toBe(0);
    expect(readLines(all).map((l) => l.msg)).toEqual(['d', 'i', 'w', 'e']);
    const one = freshFile();
    expect(runChild(body, { file: one, level: 'error' }, { DEBUG: 'nat-cni:info' }).status).toBe(0);
    expect(readLines(one).map((l) => l.msg)).toEqual(['i', 'e']);
    const none = freshFile();
    expect(runChild(body, { file: none, level: 'error' }, { DEBUG: 'other:*' }).status).toBe(0);
    expect(readLines(none).map((l) => l.msg)).toEqual(['e']);
  });
});

describe('destination', () => {
  it('honours NAT_CNI_LOG, and the config file wins over it', () => {
    const fromEnv = freshFile();
    const log = createPluginLog({ env: { NAT_CNI_LOG: fromEnv } });
    expect(log.destination).toBe(fromEnv);
    log.info('via env');
    log.close();
    expect(readLines(fromEnv).map((l) => l.msg)).toEqual(['via env']);

    const fromConfig = freshFile();
    const both = createPluginLog({ file: fromConfig, env: { NAT_CNI_LOG: fromEnv } });
    both.info('via config');
    both.close();
    expect(readLines(fromConfig).map((l) => l.msg)).toEqual(['via config']);
    expect(readLines(fromEnv)).toHaveLength(1);
  });

  it('defaults to %ProgramData%\\nat-cni\\nat.log on Windows and stderr elsewhere', () => {
    expect(defaultLogPath({ ProgramData: 'D:\\Data' }, 'win32')).toBe('D:\\Data\\nat-cni\\nat.log');
    expect(defaultLogPath({ PROGRAMDATA: 'E:\\PD' }, 'win32')).toBe('E:\\PD\\nat-cni\\nat.log');
    expect(defaultLogPath({}, 'win32')).toBe('C:\\ProgramData\\nat-cni\\nat.log');
    expect(defaultLogPath({ ProgramData: 'D:\\Data', nat_cni_log: 'F:\\logs\\n.log' }, 'win32')).toBe(
      'F:\\logs\\n.log',
    );
    expect(defaultLogPath({ ProgramData: 'D:\\Data' }, 'linux')).toBeUndefined();
    expect(defaultLogPath({ NAT_CNI_LOG: '-' }, 'win32')).toBeUndefined();
    expect(defaultLogPath({ nat_cni_log: '/x' }, 'linux')).toBeUndefined(); // case matters off Windows
    expect(createPluginLog({ env: { ProgramData: 'D:\\Data' }, platform: 'win32' }).destination).toBe(
      'D:\\Data\\nat-cni\\nat.log',
    );
    expect(createPluginLog({ env: {}, platform: 'linux' }).destination).toBe('stderr');
  });

  it('writes to stderr by default off Windows and never to stdout', () => {
    const r = runChild(`log.info('to stderr', { k: 1 });`, {});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ level: 'info', msg: 'to stderr', k: 1 });
  });

  it('creates the folder and the file owner-only', () => {
    const file = freshFile();
    const log = createPluginLog({ file });
    log.info('x');
    log.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });
});

describe('a log that cannot be written', () => {
  it('never throws, says so once on stderr and logs there instead', () => {
    const blocker = path.join(work, `blocker-${n++}`);
    fs.writeFileSync(blocker, 'a file where a folder should be');
    const r = runChild(`log.info('one'); log.warn('two'); log.error('three'); process.stdout.write('');`, {
      file: path.join(blocker, 'sub', 'nat.log'),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^nat-cni: cannot write the log file .*blocker.*; logging to stderr instead$/);
    expect(lines.slice(1).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['one', 'two', 'three']);
    expect(r.stderr.match(/cannot write the log file/g)).toHaveLength(1);
  });

  it('drops lines silently when stderr is gone too', () => {
    const r = runChild(
      `require('node:fs').closeSync(2); log.info('one'); log.error('two'); console.log('still running');`,
      {
        file: '/proc/version/nat.log',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('still running\n');
  });

  it('refuses to write into stdout, even through /dev/stdout or 2>&1', () => {
    // Stdout a file, as a runtime may give it: /dev/stdout opens that very file.
    const outFile = path.join(work, `stdout-${n++}`);
    const out = fs.openSync(outFile, 'w');
    const viaPath = spawnSync(
      process.execPath,
      ['-e', childScript(`log.info('hidden'); process.stdout.write('RESULT');`)],
      {
        env: { PATH: process.env.PATH, LOG_MODULE: logModule, NAT_CNI_LOG: '/dev/stdout' },
        stdio: ['ignore', out, 'pipe'],
        encoding: 'utf8',
      },
    );
    fs.closeSync(out);
    expect(viaPath.status).toBe(0);
    expect(fs.readFileSync(outFile, 'utf8')).toBe('RESULT');
    expect(viaPath.stderr).toMatch(/cannot write the log file \/dev\/stdout \(it is our standard output\)/);
    expect(viaPath.stderr).toContain('"msg":"hidden"');

    // Stdout a socket (spawnSync's pipes): the open itself fails; nothing reaches stdout either way.
    const viaSocket = runChild(`log.info('hidden');`, {}, { NAT_CNI_LOG: '/dev/stdout' });
    expect(viaSocket.status).toBe(0);
    expect(viaSocket.stdout).toBe('');
    expect(viaSocket.stderr).toContain('cannot write the log file /dev/stdout');

    // stderr merged into stdout: the log stays silent rather than corrupt the result.
    const merged = spawnSync('/bin/sh', ['-c', `"${process.execPath}" -e "$SCRIPT" 2>&1`], {
      env: {
        PATH: process.env.PATH,
        LOG_MODULE: logModule,
        SCRIPT: childScript(`log.error('merged'); process.stdout.write('RESULT');`),
      },
      encoding: 'utf8',
    });
    expect(merged.status).toBe(0);
    expect(merged.stdout).toBe('RESULT');
  });

  it('does not hang on a FIFO nobody reads', () => {
    const fifo = path.join(fs.mkdtempSync(path.join(work, 'fifo-')), 'nat.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = Date.now();
    const r = runChild(`log.info('x');`, { file: fifo });
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toContain('cannot write the log file');
  });
});

describe('several processes', () => {
  /** Start `count` children at once, each writing `lines` lines tagged with its index. */
  async function writers(count: number, lines: number, options: Record<string, unknown>) {
    const body = `
      const w = Number(process.env.WRITER);
      for (let i = 0; i < ${lines}; i++) log.info('line', { w, i, pad: 'x'.repeat(40 + (i % 7) * 10) });`;
    const results = await Promise.all(
      Array.from({ length: count }, (_, w) => {
        const child = spawn(process.execPath, ['-e', childScript(body)], {
          env: {
            PATH: process.env.PATH,
            LOG_MODULE: logModule,
            LOG_OPTIONS: JSON.stringify(options),
            WRITER: String(w),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        return new Promise<{ code: number | null; out: string }>((resolve) =>
          child.on('close', (code) => resolve({ code, out })),
        );
      }),
    );
    for (const r of results) expect(r).toEqual({ code: 0, out: '' });
  }

  const allFiles = (file: string) =>
    fs
      .readdirSync(path.dirname(file))
      .filter((f) => f.startsWith(path.basename(file)))
      .sort();

  it('append to one file without losing or mixing lines', async () => {
    const file = freshFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ msg: 'earlier run' })}\n`);
    await writers(2, 300, { file });
    const lines = readLines(file);
    expect(lines[0]).toEqual({ msg: 'earlier run' });
    expect(lines).toHaveLength(601);
    for (const w of [0, 1]) {
      expect(lines.filter((l) => l.w === w).map((l) => l.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
  });

  it('rotate at the configured size without crashing or losing a file', async () => {
    const file = freshFile();
    const maxBytes = 8 * 1024;
    // Enough rotated files to hold everything: every line must be found in exactly one of them.
    await writers(4, 400, { file, maxBytes, keep: 1000 });
    const files = allFiles(file);
    expect(files.length).toBeGreaterThan(10);
    expect(files).not.toContain('nat.log.rotate.lock');
    const seen = new Set<string>();
    for (const f of files) {
      const full = path.join(path.dirname(file), f);
      // Bounded: while one process rotates, the others may append a few more lines to the old file.
      expect(fs.statSync(full).size).toBeLessThan(maxBytes * 2);
      for (const l of readLines(full)) {
        const key = `${String(l.w)}/${String(l.i)}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
    expect(seen.size).toBe(4 * 400);
  });

  it('keep only the configured number of rotated files', () => {
    const file = freshFile();
    const log = createPluginLog({ file, maxBytes: 1024, keep: 2 });
    for (let i = 0; i < 200; i++) log.info('line', { i });
    log.close();
    expect(allFiles(file)).toEqual(['nat.log', 'nat.log.1', 'nat.log.2']);
    // The newest lines are in nat.log, older ones in .1, older still in .2, in order.
    const order = ['nat.log.2', 'nat.log.1', 'nat.log'].flatMap((f) =>
      readLines(path.join(path.dirname(file), f)).map((l) => l.i as number),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.at(-1)).toBe(199);
  });
});

describe('rotation against a stuck or recycled lock', () => {
  /** A full log and a rotation lock naming `owner`, as a crashed or stuck writer leaves them. */
  function fullLogWithLock(owner: string, bytes = 2048) {
    const file = freshFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ msg: 'x'.repeat(bytes) })}\n`);
    const lock = path.join(path.dirname(file), 'nat.log.rotate.lock');
    fs.writeFileSync(lock, owner);
    return { file, lock };
  }

  /** The `i` of every line in the log and its rotated files, oldest first. */
  const linesOf = (file: string) =>
    ['.3', '.2', '.1', '']
      .flatMap((suffix) => readLines(`${file}${suffix}`).map((l) => l.i))
      .filter((i) => i !== undefined);

  it('does not wait for a lock whose PID now belongs to another process (same PID, other start time)', () => {
    // This test's own PID is alive, but not the process that wrote start time 1.
    const { file } = fullLogWithLock(`${process.pid} 1\n`);
    const started = Date.now();
    const r = runChild(`for (let i = 0; i < 20; i++) log.info('line', { i });`, { file, maxBytes: 1024 });
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(linesOf(file)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('takes over, within one wait, a lock its live owner has held longer than a rotation takes', () => {
    const me = formatOwner({ pid: process.pid, start: processStart(process.pid) });
    const { file } = fullLogWithLock(me);
    const started = Date.now();
    const r = runChild(`for (let i = 0; i < 20; i++) log.info('line', { i });`, { file, maxBytes: 1024 });
    expect(r.status, r.stderr).toBe(0);
    // One writer waits for the lock to turn stale (2 s), then rotates; the others do not wait.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(linesOf(file)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('never grows past its bound, even when rotation never happens: the lines go to stderr', () => {
    const me = formatOwner({ pid: process.pid, start: processStart(process.pid) });
    const maxBytes = 1024;
    const { file, lock } = fullLogWithLock(me, maxBytes + logSlackBytes(maxBytes));
    const size = fs.statSync(file).size;
    // The lock is kept fresh by another process (as by a live holder that never finishes).
    const toucher = spawn('/bin/sh', ['-c', 'while :; do touch "$LOCK"; sleep 0.2; done'], {
      env: { PATH: process.env.PATH, LOCK: lock },
      stdio: 'ignore',
    });
    let r: ReturnType<typeof runChild>;
    try {
      r = runChild(`for (let i = 0; i < 2; i++) log.info('kept out', { i });`, { file, maxBytes });
    } finally {
      toucher.kill('SIGKILL');
    }
    expect(r.status, r.stderr).toBe(0);
    expect(fs.statSync(file).size).toBe(size);
    expect(fs.existsSync(`${file}.1`)).toBe(false);
    expect(r.stderr.split('\n').filter((l) => l.includes('kept out'))).toHaveLength(2);
  }, 20_000);
});
