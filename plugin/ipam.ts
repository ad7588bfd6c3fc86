/**
 * IPAM delegation (SPEC.md "Delegated plugins"), done as a runtime does it and unlike the Go nat
 * plugin (microsoft/windows-container-networking cni/network/network.go passes
 * `cniConfig.Serialize()`, its own struct re-encoded, to invoke.DelegateAdd): the IPAM plugin gets the network configuration bytes
 * exactly as we received them (the Go plugin re-serialises its struct and loses keys, issue #64)
 * and our environment with only CNI_COMMAND changed (plus a marker that stops a copy of this plugin
 * from delegating again); its result is read in whatever version it
 * answers, without a down-conversion to 0.2.0; its error code reaches the runtime unchanged.
 */
import { type SpawnSyncOptions, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isSea } from 'node:sea';
import { CniCode, CniError } from '../spec/errors';
import { writeAllSync } from '../spec/stdin';
import { decodeResult } from '../spec/result/decode';
import type { Result } from '../spec/result/model';
import type { CniVersion } from '../spec/versions';
import { NatCode } from './errors';

export type IpamCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

export interface DelegateIpamOptions {
  /** `ipam.type` of the configuration: the plugin's file name. */
  type: string;
  /** CNI_PATH, already split. */
  cniPath: string[];
  /** The environment the runtime gave us. */
  env: NodeJS.ProcessEnv;
  /** Our stdin, byte for byte. */
  stdin: Buffer;
  /** The configuration's version: what a result without its own `cniVersion` is read as. */
  cniVersion: CniVersion;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

export const DEFAULT_IPAM_TIMEOUT_MS = 60_000;
/** Far beyond any IPAM answer; only there so that a runaway plugin cannot exhaust our memory. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** How much of a misbehaving plugin's output goes into an error message. */
const QUOTE_CHARS = 2_000;

/**
 * A `type` that could make us run something outside CNI_PATH is refused before the search: the
 * file name must stay a single path component (libcni refuses separators; we also refuse `..`).
 */
export function checkIpamType(type: string): void {
  const bad =
    type === ''
      ? 'it is empty'
      : type.includes('\0')
        ? 'it contains a NUL character'
        : /[/\\]/.test(type)
          ? 'it contains a path separator'
          : type.includes('..')
            ? 'it contains ".."'
            : undefined;
  if (bad !== undefined) {
    throw new CniError(CniCode.InvalidNetworkConfig, `invalid IPAM plugin type ${JSON.stringify(type)}: ${bad}`);
  }
}

const isRegularFile = (file: string): boolean => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * The plugin's file, searched in CNI_PATH order as libcni's FindInPath does: on Windows
 * `<type>.exe` first, then `<type>` as given (libcni does the same, and it lets a config name
 * `host-local.exe` explicitly); a match must be a regular file. The messages are libcni's; libcni
 * gives them no code (a Go plugin would print 999), we use 7, as the configuration names a plugin
 * the host does not have.
 */
export function findIpamPlugin(type: string, cniPath: string[], platform: NodeJS.Platform = process.platform): string {
  checkIpamType(type);
  const dirs = cniPath.filter((d) => d !== '');
  if (dirs.length === 0)
    throw new CniError(CniCode.InvalidNetworkConfig, 'no paths provided', `looking for IPAM plugin "${type}"`);
  const names = platform === 'win32' ? [`${type}.exe`, type] : [type];
  for (const dir of dirs) {
    for (const name of names) {
      const file = path.join(dir, name);
      if (isRegularFile(file)) return file;
    }
  }
  throw new CniError(CniCode.InvalidNetworkConfig, `failed to find plugin "${type}" in path [${dirs.join(' ')}]`);
}

/**
 * Set in the environment of every IPAM plugin we run, so that a copy of this plugin run as our IPAM
 * plugin (a file identity check cannot see a copy) refuses instead of delegating again: without it,
 * `"ipam": {"type": "nat"}` makes each process start the next, without end.
 */
export const IPAM_DELEGATE_ENV = 'NAT_CNI_IPAM_DELEGATE';

const sameName = (a: string, b: string, platform: NodeJS.Platform) =>
  platform === 'win32' ? a.toUpperCase() === b.toUpperCase() : a === b;

function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  const key = Object.keys(env).find((k) => sameName(k, name, platform));
  return key === undefined ? undefined : env[key];
}

/** Refuse to run as the IPAM plugin of this plugin: the configuration names us as our own IPAM plugin. */
export function refuseNestedDelegation(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): void {
  const by = envValue(env, IPAM_DELEGATE_ENV, platform);
  if (by === undefined || by === '') return;
  throw new CniError(
    CniCode.InvalidNetworkConfig,
    `this plugin was run as the IPAM plugin of nat-cni (${by}): ipam.type names a copy of the nat plugin, not an IPAM plugin`,
    `${IPAM_DELEGATE_ENV} is set only for the IPAM plugins nat-cni runs`,
  );
}

/** The files this process runs from: nat.exe itself in a single-executable application, else the script. */
export function ownExecutables(): string[] {
  if (isSea()) return [process.execPath];
  const script = process.argv[1];
  return script === undefined || script === '' ? [] : [script];
}

/** Same file: the same device and inode (links of any kind), else the same real path. */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a, { bigint: true });
    const sb = fs.statSync(b, { bigint: true });
    if (sa.ino !== 0n && sb.ino !== 0n) return sa.dev === sb.dev && sa.ino === sb.ino;
    return fs.realpathSync.native(a) === fs.realpathSync.native(b);
  } catch {
    return false;
  }
}

/**
 * findIpamPlugin, refusing a plugin file that is this plugin itself (by file identity, so that a link
 * or another name in CNI_PATH is caught too): delegating to ourselves would never end.
 */
export function resolveIpamPlugin(
  type: string,
  cniPath: string[],
  platform: NodeJS.Platform = process.platform,
  self: readonly string[] = ownExecutables(),
): string {
  const file = findIpamPlugin(type, cniPath, platform);
  if (self.some((own) => sameFile(file, own))) {
    throw new CniError(
      CniCode.InvalidNetworkConfig,
      `invalid IPAM plugin type ${JSON.stringify(type)}: ${file} is this nat plugin itself, not an IPAM plugin`,
      'name an IPAM plugin such as host-local in ipam.type, or leave ipam.type out to let HNS allocate addresses',
    );
  }
  return file;
}

/**
 * Our environment for the delegate, with CNI_COMMAND changed (Windows names are case-insensitive) and
 * the delegation marker set.
 */
function delegateEnv(
  env: NodeJS.ProcessEnv,
  command: IpamCommand | 'VERSION',
  platform: NodeJS.Platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (sameName(k, 'CNI_COMMAND', platform) || sameName(k, IPAM_DELEGATE_ENV, platform)) continue;
    out[k] = v;
  }
  out.CNI_COMMAND = command;
  out[IPAM_DELEGATE_ENV] = `process ${process.pid}`;
  return out;
}

const clip = (text: string): string => (text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text);
const quote = (text: string): string => JSON.stringify(clip(text));

const ipamFailure = (type: string, msg: string, details?: string) =>
  new CniError(
    NatCode.IpamFailure,
    `IPAM plugin "${type}" ${msg}`,
    details === undefined || details === '' ? undefined : clip(details),
  );

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An error object as the spec prints it; only a positive integer `code` counts (libcni wants a number). */
function asCniErrorObject(json: unknown): { code: number; msg: string; details?: string } | undefined {
  if (!isObject(json) || typeof json.code !== 'number' || !Number.isInteger(json.code) || json.code <= 0)
    return undefined;
  const msg = typeof json.msg === 'string' ? json.msg : '';
  const details = typeof json.details === 'string' && json.details !== '' ? json.details : undefined;
  return { code: json.code, msg, ...(details === undefined ? {} : { details }) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The delegate's own CNI error, its code kept (a code 11 must reach the runtime as 11). */
function fromErrorObject(type: string, err: { code: number; msg: string; details?: string }): CniError {
  const msg = err.msg === '' ? `IPAM plugin "${type}" failed` : `IPAM plugin "${type}" failed: ${err.msg}`;
  return new CniError(err.code, msg, err.details);
}

/** A non-zero exit: the error on stdout, else what stderr said, else the bare exit status. */
function failure(type: string, status: number, stdout: string, stderr: string): CniError {
  const out = stdout.trim();
  const err = stderr.trim();
  if (out !== '') {
    const parsed = parseJson(out);
    const obj = parsed.ok ? asCniErrorObject(parsed.value) : undefined;
    if (obj) return fromErrorObject(type, obj);
    return ipamFailure(
      type,
      `failed (exit status ${status}) and its error output is not a CNI error: ${quote(out)}`,
      err,
    );
  }
  if (err !== '') return ipamFailure(type, `failed (exit status ${status}): ${quote(err)}`);
  return ipamFailure(type, `failed with no error message: exit status ${status}`);
}

/**
 * The spawn error that matters. EPIPE only means the plugin exited without reading all of its
 * stdin (a plugin may ignore it, e.g. on DEL); its exit status still tells what happened, and Go's
 * exec ignores that error too.
 */
function spawnError(r: SpawnSyncReturns<Buffer>): NodeJS.ErrnoException | undefined {
  const e: NodeJS.ErrnoException | undefined = r.error;
  return e?.code === 'EPIPE' && (r.status !== null || r.signal !== null) ? undefined : e;
}

/** A crash, a timeout or a plugin that could not be started. */
function abnormal(
  type: string,
  file: string,
  r: SpawnSyncReturns<Buffer>,
  timeoutMs: number,
  stderr: string,
): CniError | undefined {
  const error = spawnError(r);
  if (error?.code === 'ETIMEDOUT')
    return ipamFailure(type, `did not finish within ${timeoutMs} ms and was killed`, stderr);
  if (error?.code === 'ENOBUFS')
    return ipamFailure(type, `printed more than ${MAX_OUTPUT_BYTES} bytes and was killed`, stderr);
  if (error) return ipamFailure(type, `could not be run (${file}): ${error.message}`);
  if (r.signal !== null) return ipamFailure(type, `was killed by signal ${r.signal}`, stderr);
  return undefined;
}

/** An ADD answer (exit 0): a result of any known version, which must hold an address. */
function addResult(type: string, stdout: string, cniVersion: CniVersion): Result {
  const out = stdout.trim();
  if (out === '') throw ipamFailure(type, 'printed no result');
  const parsed = parseJson(out);
  if (!parsed.ok) throw ipamFailure(type, `printed a result that is not JSON (${parsed.error}): ${quote(out)}`);
  // libcni reads an error object printed with exit status 0 as an empty success; we believe the error.
  const obj = asCniErrorObject(parsed.value);
  const v = parsed.value;
  if (obj && isObject(v) && typeof v.msg === 'string' && !('ips' in v || 'ip4' in v || 'ip6' in v)) {
    throw fromErrorObject(type, obj);
  }
  let result: Result;
  try {
    result = decodeResult(withoutNilRoutes(parsed.value), cniVersion);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw ipamFailure(type, `printed a result we cannot read: ${msg}`, out);
  }
  // An IPAM plugin exists to hand out addresses; an empty result would give the endpoint none.
  if (!result.ips || result.ips.length === 0) throw ipamFailure(type, 'returned no IP addresses', out);
  return result;
}

/**
 * Go IPAM plugins echo a config route written without `dst` (nerdctl's `{"gateway": …}` form) as
 * `"dst": "<nil>"`, the way Go prints a nil IP network. Such a route names no destination, so it is
 * dropped rather than failing the ADD; the endpoint's routes come from the network, not from IPAM.
 */
function withoutNilRoutes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const doc = value as Record<string, unknown>;
  const routes = doc.routes;
  if (!Array.isArray(routes)) return value;
  const kept = routes.filter(
    (r) => !(typeof r === 'object' && r !== null && (r as Record<string, unknown>).dst === '<nil>'),
  );
  return kept.length === routes.length ? value : { ...doc, routes: kept };
}

/**
 * Run the IPAM plugin `options.type` for `command` and, for ADD, return its result (the model; the
 * caller encodes it in the configuration's version). Synchronous, never through a shell, bounded
 * by `timeoutMs`. Its stderr is passed on to ours (SPEC.md: the delegate's stderr goes to the
 * caller's). Throws a CniError: the delegate's own code when it printed a CNI error, 7 for a bad
 * or missing plugin, NatCode.IpamFailure (103) when it crashed, timed out or printed nonsense.
 */
export function delegateIpam(command: IpamCommand, options: DelegateIpamOptions): Result | undefined {
  const stdout = runDelegate(command, options);
  return command === 'ADD' ? addResult(options.type, stdout, options.cniVersion) : undefined;
}

/** The versions the IPAM plugin supports, from its VERSION answer. */
export function delegateIpamVersions(options: DelegateIpamOptions): string[] {
  return versionAnswer(options.type, runDelegate('VERSION', options));
}

/** One run of the delegate for `command`: its stdout when it succeeded, else the CniError it amounts to. */
function runDelegate(command: IpamCommand | 'VERSION', options: DelegateIpamOptions): string {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? DEFAULT_IPAM_TIMEOUT_MS;
  // spawnSync reads a timeout of 0 as "none": never hang on a bad setting.
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new CniError(CniCode.Internal, `invalid IPAM timeout: ${timeoutMs} ms`);
  const file = resolveIpamPlugin(options.type, options.cniPath, platform);
  // Process groups are a property of the OS we run on, not of the platform we name files for.
  const posix = process.platform !== 'win32';
  const spawnOptions: SpawnSyncOptions & { detached?: boolean } = {
    input: options.stdin,
    env: delegateEnv(options.env, command, platform),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_OUTPUT_BYTES,
    windowsHide: true,
    shell: false,
    // Its own process group, so that a timeout also ends whatever it started (a shell script's
    // children). Not in spawnSync's typings, but Node passes it through as for spawn (tested).
    detached: posix,
  };
  const r = spawnSync(file, [], spawnOptions) as SpawnSyncReturns<Buffer>;
  const stdout = r.stdout?.toString('utf8') ?? '';
  const stderr = r.stderr?.toString('utf8') ?? '';
  const killed = spawnError(r)?.code;
  if (posix && r.pid && (killed === 'ETIMEDOUT' || killed === 'ENOBUFS')) {
    try {
      process.kill(-r.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  forwardStderr(stderr);

  const broken = abnormal(options.type, file, r, timeoutMs, stderr.trim());
  if (broken) throw broken;
  if (r.status !== 0) throw failure(options.type, r.status ?? -1, stdout, stderr);
  return stdout;
}

/** The versions a delegate's VERSION answer lists (SPEC.md "Version"); anything else is an IPAM failure. */
function versionAnswer(type: string, stdout: string): string[] {
  const parsed = parseJson(stdout.trim());
  const list = parsed.ok && isObject(parsed.value) ? parsed.value.supportedVersions : undefined;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
    throw ipamFailure(type, `answered VERSION without a supportedVersions list: ${quote(stdout.trim())}`);
  }
  return list;
}

function forwardStderr(text: string): void {
  if (text === '') return;
  try {
    writeAllSync(2, text);
  } catch {
    // Our stderr is gone; the text also travels in the error, when there is one.
  }
}
