/**
 * The plugin's log: JSON lines, appended, size-bounded with rotation, written synchronously.
 *
 * It fixes what the Go plugin does (microsoft/windows-container-networking, its plugin main:
 * `os.OpenFile("wincni.log", os.O_CREATE|os.O_WRONLY, 0777)`): that one opens `wincni.log` in the
 * working directory without O_APPEND or O_TRUNC (each run overwrites the start of the last one),
 * mode 0777, always at Debug, never rotated, and prints non-JSON to stdout when the open fails
 * (nerdctl#559: log lines became the error text). Here a log that cannot be written never fails
 * the command and nothing ever reaches stdout.
 *
 * Levels are debug-package namespaces (`nat-cni:error` … `nat-cni:debug`): the configured level
 * enables its own and the more severe ones, and `DEBUG=nat-cni:*` (read by the debug package from
 * the process environment) enables more, as in every other debug-based tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LockTimeoutError, withLock } from '../hns/lockfile';
import { makeDirsSync } from '../hns/mkdir';
import { writeAllSync } from '../spec/stdin';
import { ensureProtectedFolder, fileSddl, processUserSid } from '../hns/ffi/security';
import { judgeFolder, parseSddl } from '../hns/ffi/sddl';
import { LOG_LEVELS, type LogLevel } from './config';

export type LogFields = Record<string, unknown>;
export type LogFn = (msg: string, fields?: LogFields) => void;

export interface PluginLog {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** The log file, or `stderr`. */
  readonly destination: string;
  /** Close the file (a plugin process need not: the OS does at exit). */
  close(): void;
}

export interface PluginLogOptions {
  /** The config's `logFile`; wins over NAT_CNI_LOG. */
  file?: string;
  level?: LogLevel;
  /** Where NAT_CNI_LOG and ProgramData are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Rotate when the file has reached this size. */
  maxBytes?: number;
  /** How many rotated files (`.1` … `.N`) to keep. */
  keep?: number;
  /**
   * Called with the log's folder before it is first opened, and with whether it is our own default
   * folder (which it may create and protect) or one the config named (which it may only judge);
   * throws to refuse the folder, and the log then goes to stderr. Default: on Windows the
   * security check of hns/ffi/security.ts, elsewhere none.
   */
  secureFolder?: (dir: string, ours: boolean) => void;
}

export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;
/** NAT_CNI_LOG's spelling for "standard error". */
const STDERR = '-';

/** Environment lookup as the platform does it: names are case-insensitive on Windows. */
function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/**
 * Where the log goes when the config names no file: NAT_CNI_LOG (`-` for stderr), else on Windows
 * `%ProgramData%\nat-cni\nat.log` (a runtime's plugin has no console anyone reads; containerd runs
 * it with CWD C:\Windows\System32), elsewhere stderr. `undefined` means stderr.
 */
export function defaultLogPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const chosen = envValue(env, 'NAT_CNI_LOG', platform);
  if (chosen !== undefined && chosen !== '') return chosen === STDERR ? undefined : chosen;
  if (platform !== 'win32') return undefined;
  const programData = envValue(env, 'ProgramData', platform) || 'C:\\ProgramData';
  return path.win32.join(programData, 'nat-cni', 'nat.log');
}

// --- the line -------------------------------------------------------------------------------

const RESERVED = new Set(['time', 'level', 'msg', 'pid']);

/** JSON for anything a caller may pass: errors keep their message, code and stack; no cycles, no BigInt failures. */
function toJson(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) {
      const { name, message, stack } = value;
      return { name, message, ...Object.fromEntries(Object.entries(value)), stack };
    }
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
}

export function formatLogLine(level: LogLevel, msg: string, fields: LogFields | undefined, now = new Date()): string {
  const head = { time: now.toISOString(), level, msg, pid: process.pid };
  const rest: LogFields = {};
  for (const [k, v] of Object.entries(fields ?? {})) rest[RESERVED.has(k) ? `fields.${k}` : k] = v;
  try {
    return `${toJson({ ...head, ...rest })}\n`;
  } catch (e) {
    // A field with a throwing getter or toJSON: keep the line, say why the fields are missing.
    return `${toJson({ ...head, fieldsError: e instanceof Error ? e.message : String(e) })}\n`;
  }
}

// --- where lines go ---------------------------------------------------------------------------

interface Sink {
  write(line: string): void;
  close(): void;
}

/** True when `fd` is stdout's own pipe or file (e.g. `/dev/stdout`, or stderr after `2>&1`). */
function isStdout(fd: number): boolean {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.fstatSync(1);
    // Windows reports no inode for pipes; a shared terminal is only a person reading both.
    return a.ino !== 0 && a.dev === b.dev && a.ino === b.ino && !a.isCharacterDevice();
  } catch {
    return false;
  }
}

function stderrSink(): Sink {
  let usable: boolean | undefined;
  return {
    write(line) {
      usable ??= !isStdout(2);
      if (!usable) return;
      try {
        writeAllSync(2, line);
      } catch {
        usable = false;
      }
    },
    close() {},
  };
}

/** O_NONBLOCK where it exists, so that a FIFO without a reader fails the open instead of hanging us. */
const APPEND_FLAGS =
  fs.constants.O_WRONLY |
  fs.constants.O_APPEND |
  fs.constants.O_CREAT |
  (process.platform === 'win32' ? 0 : fs.constants.O_NONBLOCK);

function openLog(file: string): number {
  // Owner-only folder and file: the log holds container ids and configs. (Windows ignores the
  // modes; there secureFolder gives the folder its DACL.) A bounded mkdir: Node's recursive one
  // never returns for a folder under /proc.
  makeDirsSync(path.dirname(file), 0o700);
  const fd = fs.openSync(file, APPEND_FLAGS, 0o600);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() && !st.isCharacterDevice()) throw new Error('not a regular file');
    if (isStdout(fd)) throw new Error('it is our standard output');
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/**
 * `file` → `file.1` → … → `file.<keep>`, the oldest dropped. Only one process rotates at a time
 * (a lock file beside the log, taken over from a dead holder). A process that finds the file full
 * while another rotates waits for that rotation (briefly: a rename or two) and then writes to the
 * new file, so a full file grows by at most the lines already in flight, however slowly the rotating
 * process is scheduled. Nothing is lost to a race: the holder re-checks that the file it saw too big
 * is still the one at `file` before renaming. Should the wait run out, the line goes to the old file.
 */
const ROTATE_WAIT_MS = 2500;
/**
 * A rotation is two renames: a rotation lock older than this is stuck or planted, and is taken
 * over whoever holds it (a PID alone proves nothing: it may have been reused). Shorter than the
 * wait, so a writer that finds such a lock rotates within its own wait.
 */
const ROTATE_STALE_MS = 2000;
/** However rotation fares, the file never grows past maxBytes plus this slack; lines beyond go to stderr. */
export const logSlackBytes = (maxBytes: number): number => Math.max(64 * 1024, Math.floor(maxBytes / 8));

function rotate(file: string, seen: fs.Stats, keep: number): void {
  try {
    withLock(
      path.dirname(file),
      ROTATE_WAIT_MS,
      () => {
        let current: fs.Stats;
        try {
          current = fs.statSync(file);
        } catch {
          return; // gone: the next open creates it
        }
        if (current.ino !== seen.ino || current.dev !== seen.dev) return; // someone rotated it already
        // Only the rotated files that exist are shifted: one listing instead of `keep` renames.
        const prefix = `${path.basename(file)}.`;
        const rotated = fs
          .readdirSync(path.dirname(file))
          .filter((f) => f.startsWith(prefix) && /^[1-9][0-9]*$/.test(f.slice(prefix.length)))
          .map((f) => Number(f.slice(prefix.length)))
          .sort((a, b) => b - a);
        for (const i of rotated) {
          if (i >= keep) fs.rmSync(`${file}.${i}`, { force: true });
          else fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
        }
        fs.renameSync(file, `${file}.1`);
      },
      `${path.basename(file)}.rotate.lock`,
      { staleAfterMs: ROTATE_STALE_MS },
    );
  } catch (e) {
    // Another process kept the rotation lock past the wait; its new file is picked up at our next line.
    if (!(e instanceof LockTimeoutError)) throw e;
  }
}

function fileSink(file: string, maxBytes: number, keep: number, secure: () => void): Sink {
  let fd: number | undefined;
  let failed = false;
  let secured = false;
  const fallback = stderrSink();
  const cap = maxBytes + logSlackBytes(maxBytes);

  const closeFd = () => {
    if (fd === undefined) return;
    try {
      fs.closeSync(fd);
    } catch {
      // nothing to do
    }
    fd = undefined;
  };

  /** Before a line: rotate a file that is full, and follow a rotation another process made. */
  const prepare = (): number => {
    if (!secured) {
      secure();
      secured = true;
    }
    fd ??= openLog(file);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size < maxBytes) return fd;
    rotate(file, st, keep);
    let now: fs.Stats | undefined;
    try {
      now = fs.statSync(file);
    } catch {
      now = undefined;
    }
    if (now === undefined || now.ino !== st.ino || now.dev !== st.dev) {
      closeFd();
      fd = openLog(file);
    }
    return fd;
  };

  return {
    write(line) {
      if (failed) return fallback.write(line);
      try {
        const out = prepare();
        const size = fs.fstatSync(out).size;
        // Full and not rotated (the rotation lock was held past the wait): stderr, not a bigger file.
        if (size > 0 && size + Buffer.byteLength(line) > cap) return fallback.write(line);
        writeAllSync(out, line);
      } catch (e) {
        // The log must never fail the command: say so once on stderr, then log there.
        failed = true;
        closeFd();
        const why = e instanceof Error ? e.message : String(e);
        fallback.write(`nat-cni: cannot write the log file ${file} (${why}); logging to stderr instead\n`);
        fallback.write(line);
      }
    },
    close: closeFd,
  };
}

/**
 * Windows: our own folder (%ProgramData%\nat-cni; ProgramData lets Users create folders and files)
 * is created with the protected DACL, or rebuilt, or refused; a folder the config or NAT_CNI_LOG
 * names is an administrator's, so it is only judged: a folder others may write to could hold a
 * planted link that makes a SYSTEM process append to any file.
 */
function windowsLogFolder(dir: string, ours: boolean): void {
  if (ours) return ensureProtectedFolder(dir);
  makeDirsSync(dir);
  const verdict = judgeFolder(parseSddl(fileSddl(dir)), dir, processUserSid());
  if (!verdict.ok) throw new Error(verdict.why);
}

// --- the logger -------------------------------------------------------------------------------

const rank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export function createPluginLog(options: PluginLogOptions = {}): PluginLog {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const threshold = rank(options.level ?? DEFAULT_LOG_LEVEL);
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const keep = Math.max(1, Math.floor(options.keep ?? DEFAULT_LOG_KEEP));
  const configured = options.file !== undefined && options.file !== '';
  const file = configured ? options.file : defaultLogPath(env, platform);
  const secureFolder = options.secureFolder ?? (process.platform === 'win32' ? windowsLogFolder : undefined);
  const ours = !configured && envValue(env, 'NAT_CNI_LOG', platform) === undefined;
  const sink =
    file === undefined ? stderrSink() : fileSink(file, maxBytes, keep, () => secureFolder?.(path.dirname(file), ours));

  const at = (level: LogLevel): LogFn => {
    // `debug` loads node:tty and node:net; without DEBUG no namespace can be enabled (it reads DEBUG at load).
    const namespace = process.env.DEBUG
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when DEBUG is set
        (require('debug') as typeof import('debug'))(`nat-cni:${level}`)
      : { enabled: false };
    return (msg, fields) => {
      try {
        if (rank(level) > threshold && !namespace.enabled) return;
        sink.write(formatLogLine(level, msg, fields));
      } catch {
        // Never let logging fail the command.
      }
    };
  };

  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    destination: file ?? 'stderr',
    close: () => sink.close(),
  };
}
