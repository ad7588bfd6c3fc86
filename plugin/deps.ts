/**
 * What the command handlers need from the outside world, gathered once per invocation: the HNS api
 * chosen by NAT_CNI_HNS, the per-network lock, the IPAM runner and the log. Tests build their own.
 */
import type { HcnApi } from '../hns/api';
import { createHcnApi, parseHnsBackend, HNS_BACKEND_ENV } from '../hns/backend';
import type { Result } from '../spec/result/model';
import { delegateIpam, delegateIpamVersions, type DelegateIpamOptions, type IpamCommand } from './ipam';
import { createPluginLog, type PluginLog } from './log';
import { defaultLockDir, withNetworkLock } from './lock';
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
  log: PluginLog;
  dispose(): void;
}

export interface DepsOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  logFile?: string | undefined;
  logLevel?: LogLevel | undefined;
}

export function createDeps({ env, platform, logFile, logLevel }: DepsOptions): PluginDeps {
  const backend = parseHnsBackend(env[HNS_BACKEND_ENV], platform);
  // The simulator serialises on its state folder, so the plugin's network locks live beside it.
  const lockDir = backend.kind === 'sim' ? backend.stateDir : defaultLockDir();
  let api: HcnApi | undefined;
  return {
    api: () => (api ??= createHcnApi(backend)),
    lock: (network, fn) => withNetworkLock(network, { dir: lockDir, platform }, fn),
    ipam: (command, request) => delegateIpam(command, { ...request, platform }),
    ipamVersions: (request) => delegateIpamVersions({ ...request, platform }),
    log: createPluginLog({ file: logFile, level: logLevel, env, platform }),
    dispose: () => api?.dispose(),
  };
}
