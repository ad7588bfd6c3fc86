/**
 * What the command handlers need from the outside world, gathered once per invocation: the HNS api,
 * the per-network lock, the IPAM runner and the log. Which HNS is the entry point's choice
 * (plugin/main.ts for dist/nat, plugin/main-windows.ts for nat.exe); tests build their own.
 */
import type { HcnApi } from '../hns/api';
import type { Result } from '../spec/result/model';
import { delegateIpam, delegateIpamVersions, type DelegateIpamOptions, type IpamCommand } from './ipam';
import { createPluginLog, type PluginLog } from './log';
import { withNetworkLock } from './lock';
import { DEFAULT_LOCK_HOLD_MS } from './watchdog';
import type { LogLevel } from './config';

/** What a handler passes to run the IPAM plugin; the platform and timeout are the deps' own. */
export type IpamRequest = Omit<DelegateIpamOptions, 'platform' | 'timeoutMs'>;

export interface PluginDeps {
  /** Opened lazily: a config error must be reported without touching HNS. */
  api(): HcnApi;
  lock<T>(network: string, fn: () => T): T;
  ipam(command: IpamCommand, request: IpamRequest): Result | undefined;
  /** The IPAM plugin's VERSION answer: the versions it supports. */
  ipamVersions(request: IpamRequest): string[];
  /** The host's adapter names (friendly names), or undefined when this host cannot tell. */
  hostAdapters(): readonly string[] | undefined;
  log: PluginLog;
  dispose(): void;
}

/** The HNS an entry point gives the plugin: how to open it, and where lock files go off Windows. */
export interface HnsChoice {
  open(): HcnApi;
  lockDir: string;
  /** The host's adapters, as `master` names them: the OS's answer on Windows, the simulator's setting. */
  adapters?(): readonly string[] | undefined;
}

export interface DepsOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  hns: HnsChoice;
  /** The request's, for the error object of a call ended by the lock watchdog. */
  cniVersion: string;
  logFile?: string | undefined;
  logLevel?: LogLevel | undefined;
}

/**
 * NAT_CNI_LOCK_HOLD_MS shortens the watchdog's bound for tests and diagnosis; it cannot lift it
 * above the default (a longer hold would outlast the waiters' 60 s timeout even more).
 */
export function lockHoldMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.NAT_CNI_LOCK_HOLD_MS);
  return Number.isInteger(v) && v > 0 ? Math.min(v, DEFAULT_LOCK_HOLD_MS) : DEFAULT_LOCK_HOLD_MS;
}

export function createDeps({ env, platform, hns, cniVersion, logFile, logLevel }: DepsOptions): PluginDeps {
  let api: HcnApi | undefined;
  const watchdog = { holdMs: lockHoldMs(env), cniVersion };
  const log = createPluginLog({ file: logFile, level: logLevel, env, platform });
  // How long the lock was held, at debug level: `make bench` reads it (test/bench/commands.ts).
  const held =
    <T>(network: string, fn: () => T) =>
    () => {
      const since = performance.now();
      try {
        return fn();
      } finally {
        log.debug('network lock held', { network, heldMs: Math.round((performance.now() - since) * 1000) / 1000 });
      }
    };
  return {
    api: () => (api ??= hns.open()),
    // The log hears of a lock whose owner died holding it (Windows: WAIT_ABANDONED).
    lock: (network, fn) => withNetworkLock(network, { dir: hns.lockDir, platform, watchdog, log }, held(network, fn)),
    ipam: (command, request) => delegateIpam(command, { ...request, platform }),
    ipamVersions: (request) => delegateIpamVersions({ ...request, platform }),
    hostAdapters: () => {
      try {
        return hns.adapters?.();
      } catch (e) {
        log.warn("cannot list the host's network adapters", { error: e instanceof Error ? e.message : String(e) });
        return undefined;
      }
    },
    log,
    dispose: () => api?.dispose(),
  };
}
