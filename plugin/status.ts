/**
 * STATUS (spec 1.1.0): ready when HNS answers and can do what the config needs; code 50 otherwise. A
 * delegated IPAM plugin is asked too, and its error, code included, is ours.
 */
import type { CniContext } from '../spec/skel';
import { CniCode, CniError } from '../spec/errors';
import { listNetworks } from '../hns/client';
import { parseNatConfig } from './config';
import type { PluginDeps } from './deps';
import { hnsVersion, missingFeatures } from './features';
import { withHnsWarningsLogged } from './errors';
import { delegatedIpam } from './delegated-ipam';

export function cmdStatus(ctx: CniContext<'STATUS'>, deps: PluginDeps): void {
  const config = parseNatConfig(ctx.rawConfig, { args: ctx.args });
  let missing: string[];
  try {
    const api = deps.api();
    missing = withHnsWarningsLogged(deps.log, () => {
      const lacking = missingFeatures(hnsVersion(api), config);
      listNetworks(api, { Name: config.name });
      return lacking;
    });
  } catch (e) {
    const why = e instanceof CniError ? e.msg : (e as Error).message;
    throw new CniError(CniCode.PluginNotAvailable, `the Host Networking Service is not available: ${why}`, undefined, {
      cause: e,
    });
  }
  if (missing.length > 0) throw new CniError(CniCode.PluginNotAvailable, missing.join('; '));
  const ipam = delegatedIpam(config.ipam.type, ctx, deps);
  ipam.resolve();
  const { skipped } = ipam.status();
  if (skipped !== undefined) deps.log.debug(`STATUS not forwarded: ${skipped}`, { network: config.name });
}
