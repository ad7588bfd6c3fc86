/**
 * The dispatcher (Go's `pkg/skel` for TypeScript): environment + stdin in, one call of a plugin
 * handler, stdout + exit code out. `dispatch` is the pure core; `runPlugin` binds it to the process.
 *
 * Order of checks (each stops at the first error), Go skel v1.1.2 for ADD/DEL/CHECK and skel ≥1.2
 * for GC/STATUS and unknown commands:
 *  1. CNI_COMMAND absent: the about text on stderr, exit 0. Required variables missing: 4.
 *  2. VERSION: answered at once; stdin only lends its `cniVersion` (never an error).
 *  3. Read stdin (5). Decode it as a JSON object (6). Network name (6 for a wrong type, else 7).
 *  4. ADD/DEL/CHECK: container id (3 empty / 4 malformed) and interface name (4).
 *  5. Unknown command: 4 `unknown CNI_COMMAND: X`.
 *  6. Version: `cniVersion` decoding (6), CHECK/GC/STATUS minimum versions (1), exact support (1).
 *  7. Generic configuration (7), prevResult (6), GC attachment list (7).
 *  8. The handler. A missing GC/STATUS handler is success (skel ≥1.2); a missing ADD/DEL/CHECK one
 *     is code 4 naming the command. A CniError is printed as is; anything else is 999.
 */
import { CniCode, CniError, errorObject, isCniError, printJson } from './errors';
import { type CniArgs, parseCniArgs } from './args';
import type { GcAttachment, NetworkConfig } from './config';
import {
  type AttachmentCommand,
  type CniEnv,
  type EnvSource,
  checkRequiredEnv,
  isAttachmentCommand,
  readCniEnv,
  splitCniPath,
} from './env';
import { log } from './log';
import { validateContainerId, validateInterfaceName } from './names';
import { type CallOutput, probeAnswer, versionStdin, writeCallOutput } from './probe';
import { decodeConfigJson, isNullDevice, readStdinSync } from './stdin';
import { decodeConfigVersion, negotiateVersion, newestVersion } from './version';
import { type CniVersion, isKnownVersion } from './versions';
import type { Result } from './result/model';

/*
 * Imported when first needed, not at start-up: the configuration and result codecs are zod
 * schemas and node:tty loads node:net, none of which VERSION needs; esbuild's bundle then
 * initialises them only here (the start-up cost `make bench` shows).
 */
type Codecs = typeof import('./config') & typeof import('./result/encode') & typeof import('./result/decode');
const loadCodecs = async (): Promise<Codecs> => ({
  ...(await import('./config')),
  ...(await import('./result/encode')),
  ...(await import('./result/decode')),
});

/** The commands a plugin handles (VERSION is the dispatcher's own). */
export type HandlerCommand = AttachmentCommand | 'GC' | 'STATUS';

/** Everything a handler knows about the invocation. */
export interface CniContext<C extends HandlerCommand = HandlerCommand> {
  command: C;
  /** CNI_CONTAINERID; `''` for GC and STATUS. */
  containerId: string;
  /** CNI_NETNS (on Windows an HCN namespace GUID); may be `''` for DEL, GC and STATUS. */
  netns: string;
  /** CNI_IFNAME; `''` for GC and STATUS. */
  ifName: string;
  /** CNI_ARGS, parsed leniently (see `loadCniArgs` for Go's strict reading). */
  args: CniArgs;
  /** CNI_PATH split for the platform, empty entries dropped. */
  path: string[];
  /** The version negotiated for this request; results are encoded in it. */
  cniVersion: CniVersion;
  /** The generic configuration, parsed. */
  config: NetworkConfig;
  /** The whole decoded configuration object, plugin-specific fields included. */
  rawConfig: Record<string, unknown>;
  /** The exact stdin bytes, for delegating to IPAM plugins unchanged. */
  stdin: Buffer;
  /**
   * `prevResult` decoded at `cniVersion`. On DEL an unreadable prevResult is dropped (and logged)
   * rather than failing: DEL must succeed as far as it can, and the spec lets it run without one.
   */
  prevResult: Result | undefined;
  /** GC only: `cni.dev/valid-attachments` (or the legacy `cni.dev/attachments`), if present. */
  validAttachments: C extends 'GC' ? GcAttachment[] | undefined : undefined;
}

type Awaitable<T> = T | Promise<T>;

export interface CniPlugin {
  add?: (ctx: CniContext<'ADD'>) => Awaitable<Result>;
  del?: (ctx: CniContext<'DEL'>) => Awaitable<void>;
  check?: (ctx: CniContext<'CHECK'>) => Awaitable<void>;
  gc?: (ctx: CniContext<'GC'>) => Awaitable<void>;
  status?: (ctx: CniContext<'STATUS'>) => Awaitable<void>;
  /** The versions the plugin speaks; requests in any other version get code 1. */
  supportedVersions: readonly CniVersion[];
  /** Printed on stderr when CNI_COMMAND is absent, e.g. `CNI plugin nat v1.0`. */
  about?: string;
}

export interface DispatchInput {
  env: EnvSource;
  /** The stdin bytes, or a reader called only once the command needs them (it may throw code 5). */
  stdin: Buffer | (() => Buffer);
  platform: NodeJS.Platform;
}

export type DispatchOutput = CallOutput;

/** Any thrown value as a CniError: unexpected ones become 999 with their message. */
export function toCniError(e: unknown): CniError {
  if (isCniError(e)) return e;
  log('unexpected error: %s', e instanceof Error ? (e.stack ?? e.message) : String(e));
  const msg = e instanceof Error ? e.message : String(e);
  return new CniError(CniCode.Internal, msg === '' ? 'internal error' : msg, undefined, { cause: e });
}

/** The error object for `e`, in `version`. */
export const formatError = (e: unknown, version: CniVersion): string => printJson(errorObject(toCniError(e), version));

export async function dispatch(plugin: CniPlugin, input: DispatchInput): Promise<DispatchOutput> {
  let requestVersion: CniVersion | undefined;
  let stdinBytes: Buffer | undefined;
  const readStdin = () => (stdinBytes ??= typeof input.stdin === 'function' ? input.stdin() : input.stdin);
  try {
    const env = readCniEnv(input.env);
    // VERSION, and the about text: spec/probe.ts, which a start-up script may also call on its own.
    const probe = probeAnswer(plugin, env.command, readStdin);
    if (probe) return probe;
    checkRequiredEnv(env);

    const stdin = readStdin();
    const rawConfig = decodeConfigJson(stdin);
    requestVersion = peekVersion(rawConfig);
    const codecs = await loadCodecs();
    codecs.checkNetworkName(rawConfig);
    const command = env.command;
    if (isAttachmentCommand(command)) {
      validateContainerId(env.containerId);
      validateInterfaceName(env.ifName);
    }
    if (command !== 'GC' && command !== 'STATUS' && !isAttachmentCommand(command)) {
      throw new CniError(CniCode.InvalidEnvironmentVariables, `unknown CNI_COMMAND: ${command}`);
    }
    const cniVersion = negotiateVersion(command, decodeConfigVersion(rawConfig), plugin.supportedVersions);
    requestVersion = cniVersion;
    const ctx = buildContext(codecs, command, env, cniVersion, rawConfig, stdin, input.platform);
    const stdout = await callHandler(codecs, plugin, ctx);
    return { stdout, stderr: '', exitCode: 0 };
  } catch (e) {
    const version =
      requestVersion ?? versionOfUnreadRequest(input.env, readStdin) ?? newestVersion(plugin.supportedVersions);
    return { stdout: formatError(e, version), stderr: '', exitCode: 1 };
  }
}

/**
 * An error found before the configuration was read (a missing CNI_IFNAME, say) still answers in the
 * request's version (SPEC.md §5): the configuration is read for it when it can be, and ignored if not.
 */
function versionOfUnreadRequest(env: EnvSource, readStdin: () => Buffer): CniVersion | undefined {
  if (env.CNI_COMMAND === undefined || env.CNI_COMMAND === '' || env.CNI_COMMAND === 'VERSION') return undefined;
  try {
    return peekVersion(decodeConfigJson(readStdin()));
  } catch {
    return undefined;
  }
}

/** The request's version for error objects, as soon as it can be read; unknown ones are ignored. */
function peekVersion(rawConfig: Record<string, unknown>): CniVersion | undefined {
  try {
    const v = decodeConfigVersion(rawConfig);
    return isKnownVersion(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function buildContext(
  codecs: Codecs,
  command: HandlerCommand,
  env: CniEnv,
  cniVersion: CniVersion,
  rawConfig: Record<string, unknown>,
  stdin: Buffer,
  platform: NodeJS.Platform,
): CniContext {
  const config = codecs.parseNetworkConfig(rawConfig);
  let prevResult: Result | undefined;
  try {
    prevResult = codecs.decodePrevResult(config.prevResult, cniVersion);
  } catch (e) {
    if (command !== 'DEL') throw e;
    log('DEL: ignoring unreadable prevResult: %s', e instanceof Error ? e.message : String(e));
  }
  const attachment = isAttachmentCommand(command);
  return {
    command,
    containerId: attachment ? env.containerId : '',
    netns: env.netns,
    ifName: attachment ? env.ifName : '',
    args: parseCniArgs(env.args),
    path: splitCniPath(env.path, platform),
    cniVersion,
    config,
    rawConfig,
    stdin,
    prevResult,
    validAttachments: command === 'GC' ? codecs.parseValidAttachments(rawConfig) : undefined,
  };
}

const notImplemented = (command: HandlerCommand) =>
  new CniError(
    CniCode.InvalidEnvironmentVariables,
    `CNI_COMMAND ${command} is not implemented by this plugin`,
    'the plugin has no handler for this command',
  );

/** Run the handler for `ctx.command`; returns what goes to stdout. */
async function callHandler(codecs: Codecs, plugin: CniPlugin, ctx: CniContext): Promise<string> {
  switch (ctx.command) {
    case 'ADD': {
      if (plugin.add === undefined) throw notImplemented('ADD');
      const result = await plugin.add(ctx as CniContext<'ADD'>);
      return printJson(codecs.encodeResult(result, ctx.cniVersion));
    }
    case 'DEL':
      if (plugin.del === undefined) throw notImplemented('DEL');
      await plugin.del(ctx as CniContext<'DEL'>);
      return '';
    case 'CHECK':
      if (plugin.check === undefined) throw notImplemented('CHECK');
      await plugin.check(ctx as CniContext<'CHECK'>);
      return '';
    case 'GC':
      // Without a handler GC succeeds once the version checks pass (skel ≥1.2).
      await plugin.gc?.(ctx as CniContext<'GC'>);
      return '';
    case 'STATUS':
      await plugin.status?.(ctx as CniContext<'STATUS'>);
      return '';
  }
}

/** How long a finished plugin may wait for stray handles (timers, sockets) before we exit anyway. */
const EXIT_GRACE_MS = 1000;

/**
 * The process entry of a plugin: dispatch on the real environment and stdin, write the answer with
 * synchronous fd writes, set the exit code. Exceptions that escape the handler's promise chain
 * (a throwing callback, an unhandled rejection) still end as one CNI error object on stdout.
 */
export async function runPlugin(plugin: CniPlugin): Promise<void> {
  let answered = false;
  const answer = (out: DispatchOutput) => {
    if (answered) return;
    answered = true;
    try {
      writeCallOutput(out);
    } finally {
      // Natural exit when nothing is pending; a forced one if a handler left something running.
      setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
    }
  };
  const crash = (e: unknown) => {
    if (answered) {
      log('error after the answer was written: %s', e instanceof Error ? (e.stack ?? e.message) : String(e));
      return;
    }
    answer({ stdout: formatError(e, newestVersion(plugin.supportedVersions)), stderr: '', exitCode: 1 });
    process.exit();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  const env = process.env;
  // A VERSION probe from a terminal must not wait for typed input that Go would never read.
  const versionInput = env.CNI_COMMAND === 'VERSION' ? await versionStdin() : undefined;
  const stdin = () => {
    if (versionInput) return versionInput();
    if (isNullDevice(0, process.platform)) {
      // Node reopens a closed stdin as the null device before any of our code runs, so a runtime that
      // closed it is indistinguishable from one that redirected it there: either way no configuration
      // can arrive. Go's skel reads a closed descriptor and answers code 5; so do we.
      throw new CniError(CniCode.IoFailure, 'error reading from stdin: stdin is not open (it is the null device)');
    }
    return readStdinSync(0);
  };
  answer(await dispatch(plugin, { env, stdin, platform: process.platform }));
}
