/**
 * GC (spec 1.1.0): remove this network's endpoints that this plugin created (named
 * `<containerID>_<network>` or `<containerID>_<network>_<ifname>`) that belong to no attachment the
 * runtime still holds valid. A config without `cni.dev/valid-attachments` (nor the older
 * `cni.dev/attachments`) means none are valid: libcni leaves the key out when nothing is attached any more.
 * Then, under the same lock and once no stale endpoint holds an address, the delegated IPAM plugin
 * gets the same GC (spec 1.1.0: "plugins that delegate IPAM must forward GC").
 */
import type { CniContext } from '../spec/skel';
import { deleteEndpoint, findNetworkByName, listEndpointsOfNetwork } from '../hns/client';
import type { PluginDeps } from './deps';
import { toCniErrorFromHns, withHnsWarningsLogged } from './errors';
import { endpointName, isPluginEndpointName } from './netns';
import { delegatedIpam, ipamTypeOf } from './delegated-ipam';

export function cmdGc(ctx: CniContext<'GC'>, deps: PluginDeps): void {
  const network = ctx.config.name;
  const valid = new Set((ctx.validAttachments ?? []).map((a) => endpointName(a.containerID, network, a.ifname)));
  const ipam = delegatedIpam(ipamTypeOf(ctx.rawConfig), ctx, deps);
  const api = deps.api();
  deps.lock(network, () => {
    try {
      withHnsWarningsLogged(deps.log, () => {
        const net = findNetworkByName(api, network);
        if (!net?.ID) return;
        for (const ep of listEndpointsOfNetwork(api, net.ID)) {
          if (!ep.ID || !isPluginEndpointName(ep.Name, network) || valid.has(ep.Name)) continue;
          if (deleteEndpoint(api, ep.ID, ep)) deps.log.info('GC deleted a stale endpoint', { endpoint: ep.ID, name: ep.Name });
        }
      });
    } catch (e) {
      throw toCniErrorFromHns(e, `collecting stale endpoints of network "${network}"`);
    }
    const { skipped } = ipam.gc();
    if (skipped !== undefined) deps.log.debug(`GC not forwarded: ${skipped}`, { network });
  });
}
