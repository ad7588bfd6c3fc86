/**
 * GC (spec 1.1.0): remove this network's endpoints that this plugin created (named
 * `<containerID>_<network>` or `<containerID>_<network>_<ifname>`) that belong to no attachment the
 * runtime still holds valid. A config without `cni.dev/valid-attachments` (nor the older
 * `cni.dev/attachments`) means none are valid: libcni leaves the key out when nothing is attached any more.
 * Best-effort (spec 1.1.0): an endpoint that cannot be deleted does not stop the others; GC then fails
 * naming each one left. Then, under the same lock and only when no stale endpoint holds an address any
 * more, the delegated IPAM plugin gets the same GC (spec 1.1.0: "plugins that delegate IPAM must
 * forward GC"); with one left, its lease must stay.
 */
import type { CniContext } from '../spec/skel';
import { CniError } from '../spec/errors';
import { deleteEndpoint, findNetworkByName, listEndpointsOfNetwork } from '../hns/client';
import type { PluginDeps } from './deps';
import { NatCode, toCniErrorFromHns, withHnsWarningsLogged } from './errors';
import { endpointName, isPluginEndpointName } from './netns';
import { delegatedIpam, ipamTypeOf } from './delegated-ipam';

export function cmdGc(ctx: CniContext<'GC'>, deps: PluginDeps): void {
  const network = ctx.config.name;
  const valid = new Set((ctx.validAttachments ?? []).map((a) => endpointName(a.containerID, network, a.ifname)));
  const ipam = delegatedIpam(ipamTypeOf(ctx.rawConfig), ctx, deps);
  const api = deps.api();
  deps.lock(network, () => {
    const left: CniError[] = [];
    try {
      withHnsWarningsLogged(deps.log, () => {
        const net = findNetworkByName(api, network);
        if (!net?.ID) return;
        for (const ep of listEndpointsOfNetwork(api, net.ID)) {
          if (!ep.ID || !isPluginEndpointName(ep.Name, network) || valid.has(ep.Name)) continue;
          try {
            if (deleteEndpoint(api, ep.ID, ep))
              deps.log.info('GC deleted a stale endpoint', { endpoint: ep.ID, name: ep.Name });
          } catch (e) {
            left.push(toCniErrorFromHns(e, `deleting stale endpoint "${ep.Name}" (${ep.ID})`));
          }
        }
      });
    } catch (e) {
      throw toCniErrorFromHns(e, `collecting stale endpoints of network "${network}"`);
    }
    if (left.length > 0) {
      const msg = `GC could not remove ${left.length} stale endpoint(s) of network "${network}": ${left.map((e) => e.msg).join('; ')}`;
      // One code when the failures agree (all 11: the next GC may well succeed), else ours.
      const code = left.every((e) => e.code === left[0]?.code)
        ? (left[0]?.code ?? NatCode.HnsFailure)
        : NatCode.HnsFailure;
      const kept =
        ipam.type === undefined
          ? undefined
          : `GC was not forwarded to IPAM plugin "${ipam.type}": their addresses stay reserved`;
      throw new CniError(code, msg, kept);
    }
    const { skipped } = ipam.gc();
    if (skipped !== undefined) deps.log.debug(`GC not forwarded: ${skipped}`, { network });
  });
}
