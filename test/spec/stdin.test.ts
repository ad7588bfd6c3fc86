import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { decodeConfigJson, readStdinSync } from '../../spec/stdin';
import { tmpDir } from './helpers';

const dir = tmpDir('nat-cni-stdin-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const verdict = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch (e) {
    const c = e as CniError;
    return { code: c.code, msg: c.msg };
  }
};

const withFd = <T>(file: string, f: (fd: number) => T): T => {
  const fd = fs.openSync(file, 'r');
  try {
    return f(fd);
  } finally {
    fs.closeSync(fd);
  }
};

describe('reading stdin (C-21)', () => {
  it('reads a file to its end, larger than a pipe buffer', () => {
    const file = path.join(dir, 'big.json');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 0x61);
    fs.writeFileSync(file, data);
    expect(withFd(file, (fd) => readStdinSync(fd)).equals(data)).toBe(true);
  });

  it('reads an empty input as empty', () => {
    expect(withFd('/dev/null', (fd) => readStdinSync(fd)).length).toBe(0);
  });

  it('a directory is code 5 "error reading from stdin: …"', () => {
    const r = verdict(() => withFd(dir, (fd) => readStdinSync(fd)));
    expect(r).toMatchObject({ code: 5 });
    expect((r as { msg: string }).msg).toMatch(/^error reading from stdin: .*EISDIR/);
  });

  it('a closed descriptor is code 5', () => {
    const fd = fs.openSync('/dev/null', 'r');
    fs.closeSync(fd);
    expect(verdict(() => readStdinSync(fd))).toMatchObject({ code: 5 });
  });

  it('input over the limit is code 5 and reading stops there', () => {
    const file = path.join(dir, 'over.json');
    fs.writeFileSync(file, Buffer.alloc(1001, 0x20));
    expect(verdict(() => withFd(file, (fd) => readStdinSync(fd, 1000)))).toMatchObject({
      code: 5,
      msg: 'error reading from stdin: input exceeds the limit of 1000 bytes',
    });
    fs.writeFileSync(file, Buffer.alloc(1000, 0x20));
    expect(withFd(file, (fd) => readStdinSync(fd, 1000)).length).toBe(1000);
  });

  it('EAGAIN on a non-blocking pipe is retried, so a slow writer loses nothing', async () => {
    // A child reads its non-blocking stdin pipe (a FIFO opened O_NONBLOCK) while we write slowly.
    const fifo = path.join(dir, 'fifo');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const reader = path.join(dir, 'reader.js');
    fs.writeFileSync(
      reader,
      `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(fifo)},fs.constants.O_RDONLY|fs.constants.O_NONBLOCK);` +
        `const {readStdinSync}=require(${JSON.stringify(path.resolve(dir, 'stdin.cjs'))});` +
        `process.stderr.write('ready');` +
        `process.stdout.write(readStdinSync(fd).toString());`,
    );
    const { buildSync } = await import('esbuild');
    buildSync({
      entryPoints: [path.resolve(__dirname, '../../spec/stdin.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: path.join(dir, 'stdin.cjs'),
      logLevel: 'warning',
    });
    // Held open read-write first, so the FIFO always has a writer until we close it: the child
    // sees data, then EAGAIN for 300 ms, then the rest, then EOF.
    const w = fs.openSync(fifo, fs.constants.O_RDWR);
    const child = spawn(process.execPath, [reader], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.stderr.once('data', r));
    fs.writeSync(w, '{"a":');
    await new Promise((r) => setTimeout(r, 300));
    fs.writeSync(w, '1}');
    fs.closeSync(w);
    await new Promise((r) => child.on('close', r));
    expect(out).toBe('{"a":1}');
  });
});

describe('decoding the configuration (C-22)', () => {
  const dec = (s: string | Buffer) => verdict(() => decodeConfigJson(typeof s === 'string' ? Buffer.from(s) : s));
  const PREFIX = 'error unmarshall network config: ';

  it.each([
    ['', 'unexpected end of JSON input'],
    ['notjson', "invalid character 'o' in literal null (expecting 'u')"],
    ['{', 'unexpected end of JSON input'],
    ['\ufeff{"name":"n"}', "invalid character 'ï' looking for beginning of value"],
    ['{"name":"n"} trailing', "invalid character 't' after top-level value"],
  ])('%j is code 6 with Go text', (input, msg) => {
    expect(dec(input)).toEqual({ code: 6, msg: PREFIX + msg });
  });

  it.each([
    ['[1,2]', 'array'],
    ['null', 'null'],
    ['"x"', 'string'],
    ['5', 'number'],
    ['true', 'bool'],
  ])('a JSON %j that is not an object is code 6', (input, kind) => {
    expect(dec(input)).toEqual({
      code: 6,
      msg: `${PREFIX}json: cannot unmarshal ${kind} into a network configuration object`,
    });
  });

  it('bytes that are not UTF-8 are code 6', () => {
    expect(dec(Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      code: 6,
      msg: `${PREFIX}input is not valid UTF-8`,
    });
  });

  it('whitespace and CRLF around the object are fine; duplicate keys keep the last', () => {
    expect(dec('\r\n {"name":"a","name":"b"}\r\n')).toEqual({ ok: { name: 'b' } });
  });

  it('unicode strings round-trip unchanged', () => {
    expect(dec('{"search":["ünïcødé.example","\\u00e9"]}')).toEqual({ ok: { search: ['ünïcødé.example', 'é'] } });
  });
});
