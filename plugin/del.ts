/**
 * DEL: forgiving and idempotent. It succeeds when the endpoint, its namespace or the network are
 * already gone, with or without CNI_NETNS, and needs no more config than the network name (a config
 * the plugin would refuse for ADD still finds the endpoint). It detaches and deletes every endpoint of
 * this container on this network, releases the IPAM allocation, and goes on past a failed step to do
 * the others, reporting the first real error. The network is never deleted: it is shared.
 */
import type { CniContext } from '../spec/skel';
import { CniError } from '../spec/errors';
import { getKey } from '../spec/keys';
import { deleteEndpoint, listEndpoints } from '../hns/client';
import { parseNatConfig } from './config';
import type { PluginDeps } from './deps';
import { toCniErrorFromHns } from './errors';
import { endpointName } from './netns';

export function cmdDel(ctx: CniContext<'DEL'>, deps: PluginDeps): void {
  const network = ctx.config.name;
  let ipamType: unknown;
  try {
    ipamType = parseNatConfig(ctx.rawConfig, { args: ctx.args }).ipam.type;
  } catch (e) {
    deps.log.warn(`DEL with a config ADD would refuse; deleting by name: ${(e as Error).message}`, { network });
    ipamType = getKey(getKey(ctx.rawConfig, 'ipam'), 'type');
  }
  const errors: CniError[] = [];
  const name = endpointName(ctx.containerId, network, ctx.ifName);
  const doing = `deleting endpoint "${name}"`;
  try {
    const api = deps.api();
    deps.lock(network, () => {
      // HNS does not keep endpoint names unique, and the Go plugin could leave duplicates: remove them all.
      for (const ep of listEndpoints(api, { Name: name })) {
        if (ep.ID !== undefined && deleteEndpoint(api, ep.ID)) deps.log.info('endpoint deleted', { endpoint: ep.ID, name });
      }
    });
  } catch (e) {
    errors.push(toCniErrorFromHns(e, doing));
  }
  if (typeof ipamType === 'string' && ipamType !== '') {
    try {
      deps.ipam('DEL', { type: ipamType, cniPath: ctx.path, env: process.env, stdin: ctx.stdin, cniVersion: ctx.cniVersion });
    } catch (e) {
      errors.push(toCniErrorFromHns(e, `releasing the address of container ${ctx.containerId}`));
    }
  }
  for (const e of errors.slice(1)) deps.log.error(`DEL: a further step failed: ${e.msg}`, { code: e.code });
  if (errors[0]) throw errors[0];
}
