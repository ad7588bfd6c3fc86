/**
 * Stdin and stdout of a plugin process. We use synchronous fd calls (`readSync(0)`,
 * `writeSync(1)`) and never process.stdin/stdout streams: stream stdio breaks on pipes under Wine,
 * and the synchronous form is also right on Windows and lets us exit as soon as the answer is out.
 */
import fs from 'node:fs';
import { CniCode, CniError } from './errors';
import { goJsonKind } from './gofmt';
import { goJsonSyntaxError } from './json';

/**
 * The largest network configuration we accept. Real configurations are a few KiB (a conflist with
 * 10 000 port mappings is under 1 MiB); the bound keeps a runaway writer from exhausting memory.
 */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024;

/** How long a non-blocking stdin that reports EAGAIN may stay silent before we take it as ended. */
const EAGAIN_PATIENCE_MS = 1000;
const EAGAIN_POLL_MS = 5;

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const errnoCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;

/**
 * Read all of `fd` (stdin by default). End of input is EOF, and also the `EOF` error libuv reports
 * for a closed pipe on Windows. EAGAIN (a non-blocking descriptor) is retried until the writer has
 * been silent for a second, then taken as the end: data never gets lost to a slow writer, and a
 * descriptor nobody writes to still reads as empty input.
 *
 * Failures are code 5 (I/O failure), as in Go's skel (`error reading from stdin: …`). Input over
 * `limit` is also code 5: we stop reading, so the configuration was never read whole. That is an
 * I/O refusal, not a decoding error (the bytes may well be valid JSON).
 */
export function readStdinSync(fd = 0, limit = MAX_STDIN_BYTES): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let silentSince: number | undefined;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
    let got: number;
    try {
      got = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EOF') break;
      if (code === 'EAGAIN') {
        silentSince ??= Date.now();
        if (Date.now() - silentSince >= EAGAIN_PATIENCE_MS) break;
        sleepSync(EAGAIN_POLL_MS);
        continue;
      }
      throw new CniError(CniCode.IoFailure, `error reading from stdin: ${(e as Error).message}`, undefined, {
        cause: e,
      });
    }
    if (got === 0) break;
    silentSince = undefined;
    chunks.push(buf.subarray(0, got));
    total += got;
    if (total > limit) {
      throw new CniError(
        CniCode.IoFailure,
        `error reading from stdin: input exceeds the limit of ${limit} bytes`,
        'a network configuration this large is refused before decoding',
      );
    }
  }
  return Buffer.concat(chunks, total);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The prefix Go's skel puts on every stdin decoding error; kept so messages read the same. */
const DECODE_PREFIX = 'error unmarshall network config: ';

/**
 * Decode stdin as the network configuration object. Every failure is code 6:
 * - a syntax error, with Go's scanner text (a UTF-8 BOM is one: Go and libcni reject it, and the
 *   raw bytes are handed on unchanged to delegated plugins, which would reject them too);
 * - bytes that are not UTF-8 (JSON must be UTF-8; Go would silently turn them into U+FFFD,
 *   which could put a mangled name into HNS);
 * - a value that is not an object, `null` included (Go turns `null` into an empty config and
 *   then says `missing network name`; the spec's answer for "not a configuration" is 6).
 */
export function decodeConfigJson(stdin: Uint8Array): Record<string, unknown> {
  const syntax = goJsonSyntaxError(stdin);
  if (syntax !== undefined) throw new CniError(CniCode.DecodingFailure, DECODE_PREFIX + syntax);
  let text: string;
  try {
    text = utf8.decode(stdin);
  } catch {
    throw new CniError(CniCode.DecodingFailure, `${DECODE_PREFIX}input is not valid UTF-8`);
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CniError(
      CniCode.DecodingFailure,
      `${DECODE_PREFIX}json: cannot unmarshal ${goJsonKind(value)} into a network configuration object`,
    );
  }
  return value as Record<string, unknown>;
}

/** Whether `fd` is the null device (`/dev/null`); never true on Windows, where it cannot be told apart. */
export function isNullDevice(fd: number, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return false;
  try {
    const st = fs.fstatSync(fd);
    return st.isCharacterDevice() && st.rdev === fs.statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** Write all of `text` to `fd`, retrying partial writes and EAGAIN on non-blocking pipes. */
export function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (errnoCode(e) !== 'EAGAIN') throw e;
      sleepSync(EAGAIN_POLL_MS);
    }
  }
}
