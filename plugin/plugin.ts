/**
 * The nat plugin as a CniPlugin: each command handler gets its dependencies (HNS api, lock, IPAM,
 * log) for this one invocation and releases them afterwards.
 */
import type { CniContext, CniPlugin, HandlerCommand } from '../spec/skel';
import { ALL_VERSIONS } from '../spec/versions';
import { createDeps, type HnsChoice, type PluginDeps } from './deps';
import { ABOUT } from './about';
import { readLogSettings } from './log-settings';

export { ABOUT, PLUGIN_VERSION } from './about';

export type DepsFactory = (ctx: CniContext) => PluginDeps;

/**
 * The deps of a real invocation: this process's environment and platform, the entry point's HNS, and
 * the log as the one reader of the log settings says (log-settings.ts). A refused setting is not
 * used, on every command (DEL too, which goes on with a config ADD would refuse): a relative logFile
 * is never opened, and the log that is written says why.
 */
export const processDeps =
  (hns: (env: NodeJS.ProcessEnv, platform: NodeJS.Platform) => HnsChoice): DepsFactory =>
  (ctx) => {
    const settings = readLogSettings(ctx.rawConfig);
    const deps = createDeps({
      env: process.env,
      platform: process.platform,
      hns: hns(process.env, process.platform),
      cniVersion: ctx.cniVersion,
      logFile: settings.logFile,
      logLevel: settings.logLevel,
    });
    for (const p of settings.problems)
      deps.log.warn(`${p.field}: ${p.reason}; not used (logging to ${deps.log.destination})`, {
        network: ctx.config.name,
      });
    return deps;
  };

/** `load` imports the command's own module when it runs: esbuild's bundle then initialises only that one. */
function handler<C extends HandlerCommand, R>(
  makeDeps: DepsFactory,
  load: () => Promise<(ctx: CniContext<C>, deps: PluginDeps) => R>,
): (ctx: CniContext<C>) => Promise<R> {
  return async (ctx) => {
    const run = await load();
    const deps = makeDeps(ctx);
    deps.log.debug(`${ctx.command} start`, {
      containerId: ctx.containerId,
      netns: ctx.netns,
      ifName: ctx.ifName,
      network: ctx.config.name,
    });
    try {
      const out = run(ctx, deps);
      // containerd 2.1+ calls STATUS on every CRI status poll: at info it would flood the log.
      (ctx.command === 'STATUS' ? deps.log.debug : deps.log.info)(`${ctx.command} ok`, {
        containerId: ctx.containerId,
        network: ctx.config.name,
      });
      return out;
    } catch (e) {
      const err = e as { code?: number; message?: string; stack?: string };
      deps.log.error(`${ctx.command} failed`, {
        containerId: ctx.containerId,
        network: ctx.config.name,
        code: err.code,
        error: err.message,
        stack: err.stack,
      });
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
