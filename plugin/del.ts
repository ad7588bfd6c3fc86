/**
 * DEL: forgiving and idempotent. It succeeds when the endpoint, its namespace or the network are
 * already gone, with or without CNI_NETNS, and needs no more config than the network name (a config
 * the plugin would refuse for ADD still finds the endpoint). It detaches and deletes every endpoint of
 * this container on this network and then releases the IPAM allocation. It never reports success
 * while an endpoint of this attachment is still in HNS (the runtime never retries a DEL that
 * succeeded), and the address is released only once no endpoint holds it. The network is never
 * deleted: it is shared.
 */
import type { CniContext } from '../spec/skel';
import { CniError } from '../spec/errors';
import type { HcnApi } from '../hns/api';
import { deleteEndpoint, endpointIdsByName, listEndpoints } from '../hns/client';
import { parseNatConfig } from './config';
import type { PluginDeps } from './deps';
import { NatCode, toCniErrorFromHns, withHnsWarningsLogged } from './errors';
import { refuseNestedDelegation } from './ipam';
import { delegatedIpam, ipamTypeOf } from './delegated-ipam';
import { endpointName } from './netns';

export function cmdDel(ctx: CniContext<'DEL'>, deps: PluginDeps): void {
  refuseNestedDelegation(process.env);
  const network = ctx.config.name;
  let ipamType: string | undefined;
  try {
    ipamType = parseNatConfig(ctx.rawConfig, { args: ctx.args }).ipam.type;
  } catch (e) {
    deps.log.warn(`DEL with a config ADD would refuse; deleting by name: ${(e as Error).message}`, { network });
    ipamType = ipamTypeOf(ctx.rawConfig);
  }
  const ipam = delegatedIpam(ipamType, ctx, deps);
  const name = endpointName(ctx.containerId, network, ctx.ifName);
  try {
    const api = deps.api();
    withHnsWarningsLogged(deps.log, () => deps.lock(network, () => deleteEndpointsNamed(api, deps, name)));
  } catch (e) {
    // The address stays reserved while an endpoint may still hold it; the runtime retries a failed DEL.
    throw toCniErrorFromHns(e, `deleting endpoint "${name}"`);
  }
  try {
    ipam.release();
  } catch (e) {
    throw toCniErrorFromHns(e, `releasing the address of container ${ctx.containerId}`);
  }
}

/**
 * HNS does not keep endpoint names unique, and the Go plugin could leave duplicates: remove them all,
 * then look again, so that success means none is left.
 */
function deleteEndpointsNamed(api: HcnApi, deps: PluginDeps, name: string): void {
  for (const ep of listEndpoints(api, { Name: name })) {
    if (ep.ID !== undefined && deleteEndpoint(api, ep.ID, ep))
      deps.log.info('endpoint deleted', { endpoint: ep.ID, name });
  }
  const left = endpointIdsByName(api, name);
  if (left.length > 0) {
    throw new CniError(
      NatCode.HnsFailure,
      `endpoint "${name}" (${left.join(', ')}) is still in HNS after it was deleted`,
    );
  }
}
