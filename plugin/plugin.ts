/**
 * The nat plugin as a CniPlugin: each command handler gets its dependencies (HNS api, lock, IPAM,
 * log) for this one invocation and releases them afterwards.
 */
import type { CniContext, CniPlugin, HandlerCommand } from '../spec/skel';
import { getKey } from '../spec/keys';
import { ALL_VERSIONS } from '../spec/versions';
import { createDeps, type HnsChoice, type PluginDeps } from './deps';
import { LOG_LEVELS, type LogLevel } from './config';
import { ABOUT } from './about';

export { ABOUT, PLUGIN_VERSION } from './about';

/** The log settings, read leniently: a config too broken to parse must still be logged. */
function logSettings(raw: Record<string, unknown>): { logFile?: string; logLevel?: LogLevel } {
  const file = getKey(raw, 'logFile');
  const level = getKey(raw, 'logLevel');
  const folded = typeof level === 'string' ? level.toLowerCase() : undefined;
  return {
    ...(typeof file === 'string' && file !== '' ? { logFile: file } : {}),
    ...(LOG_LEVELS.find((l) => l === folded) ? { logLevel: folded as LogLevel } : {}),
  };
}

export type DepsFactory = (ctx: CniContext) => PluginDeps;

/** The deps of a real invocation: this process's environment and platform, the entry point's HNS. */
export const processDeps =
  (hns: (env: NodeJS.ProcessEnv, platform: NodeJS.Platform) => HnsChoice): DepsFactory =>
  (ctx) =>
    createDeps({
      env: process.env,
      platform: process.platform,
      hns: hns(process.env, process.platform),
      cniVersion: ctx.cniVersion,
      ...logSettings(ctx.rawConfig),
    });

/** `load` imports the command's own module when it runs: esbuild's bundle then initialises only that one. */
function handler<C extends HandlerCommand, R>(
  makeDeps: DepsFactory,
  load: () => Promise<(ctx: CniContext<C>, deps: PluginDeps) => R>,
): (ctx: CniContext<C>) => Promise<R> {
  return async (ctx) => {
    const run = await load();
    const deps = makeDeps(ctx as CniContext);
    deps.log.debug(`${ctx.command} start`, { containerId: ctx.containerId, netns: ctx.netns, ifName: ctx.ifName, network: ctx.config.name });
    try {
      const out = run(ctx, deps);
      deps.log.info(`${ctx.command} ok`, { containerId: ctx.containerId, network: ctx.config.name });
      return out;
    } catch (e) {
      const err = e as { code?: number; message?: string; stack?: string };
      deps.log.error(`${ctx.command} failed`, { containerId: ctx.containerId, network: ctx.config.name, code: err.code, error: err.message, stack: err.stack });
      throw e;
    } finally {
      deps.dispose();
    }
  };
}

export function natPlugin(makeDeps: DepsFactory): CniPlugin {
  return {
    about: ABOUT,
    supportedVersions: ALL_VERSIONS,
    add: handler(makeDeps, async () => (await import('./add')).cmdAdd),
    del: handler(makeDeps, async () => (await import('./del')).cmdDel),
    check: handler(makeDeps, async () => (await import('./check')).cmdCheck),
    gc: handler(makeDeps, async () => (await import('./gc')).cmdGc),
    status: handler(makeDeps, async () => (await import('./status')).cmdStatus),
  };
}
