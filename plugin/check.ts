/**
 * CHECK: the attachment is still what ADD set up. Verified against HNS (the network, the endpoint,
 * its namespace attachment, its port mappings) and against prevResult (the IP and MAC the runtime was
 * told), and delegated to the IPAM plugin. Each mismatch is its own clear error. Runs under the network
 * lock, as ADD and DEL do, so that it never judges an attachment half-way through being made or removed.
 * In a chain, only what prevResult reports for CNI_IFNAME is ours to check: other plugins' interfaces
 * and addresses are not drift.
 */
import type { CniContext } from '../spec/skel';
import { CniCode, CniError } from '../spec/errors';
import type { Result } from '../spec/result/model';
import type { HcnApi } from '../hns/api';
import { guidEquals } from '../hns/guid';
import type { HostComputeEndpoint } from '../hns/schema';
import {
  endpointNamespace,
  findEndpointByName,
  findNetworkByName,
  getNamespace,
  namespaceHasEndpoint,
} from '../hns/client';
import { parseNatConfig, type NatConfig } from './config';
import type { PluginDeps } from './deps';
import { NatCode, toCniErrorFromHns, withHnsWarningsLogged } from './errors';
import { refuseNestedDelegation } from './ipam';
import { delegatedIpam } from './delegated-ipam';
import { portMappingDrift, subnetsOfNetwork } from './hnsrequests';
import { endpointName, namespaceGuid } from './netns';
import { cniMac } from './result';

const drift = (msg: string) => new CniError(NatCode.CheckMismatch, msg);

export function cmdCheck(ctx: CniContext<'CHECK'>, deps: PluginDeps): void {
  refuseNestedDelegation(process.env);
  const config = parseNatConfig(ctx.rawConfig, { args: ctx.args });
  const netns = namespaceGuid(ctx.netns);
  const prev = ctx.prevResult;
  if (!prev) {
    // SPEC.md: the runtime must pass the ADD result as prevResult, and CHECK verifies against it.
    throw new CniError(CniCode.InvalidNetworkConfig, 'CHECK needs prevResult, the result of the ADD being checked');
  }
  // A missing IPAM plugin (or this plugin named as its own) is a config error, whatever HNS holds.
  const ipam = delegatedIpam(config.ipam.type, ctx, deps);
  ipam.resolve();
  const api = deps.api();
  deps.lock(config.name, () => {
    try {
      withHnsWarningsLogged(deps.log, () => checkHns(api, config, ctx, netns, prev));
    } catch (e) {
      throw toCniErrorFromHns(e, `checking container ${ctx.containerId} on network "${config.name}"`);
    }
    ipam.check();
  });
}

function checkHns(api: HcnApi, config: NatConfig, ctx: CniContext<'CHECK'>, netns: string, prev: Result): void {
  const network = findNetworkByName(api, config.name);
  if (!network?.ID) throw drift(`HNS network "${config.name}" no longer exists`);
  const name = endpointName(ctx.containerId, config.name, ctx.ifName);
  const ep = findEndpointByName(api, name);
  if (!ep?.ID) throw drift(`endpoint "${name}" no longer exists in HNS`);
  if (!ep.HostComputeNetwork || !guidEquals(ep.HostComputeNetwork, network.ID)) {
    throw drift(
      `endpoint "${name}" is on network ${ep.HostComputeNetwork ?? '(none)'}, not on "${config.name}" (${network.ID})`,
    );
  }
  const attached = endpointNamespace(ep);
  if (attached === undefined) throw drift(`endpoint "${name}" is not attached to any namespace; expected ${netns}`);
  if (!guidEquals(attached, netns))
    throw drift(`endpoint "${name}" is attached to namespace ${attached}, not ${netns}`);
  const ns = getNamespace(api, netns);
  if (!ns) throw drift(`namespace ${netns} (CNI_NETNS) no longer exists in HNS`);
  if (!namespaceHasEndpoint(ns, ep.ID)) throw drift(`namespace ${netns} does not list endpoint "${name}"`);

  const mappings = portMappingDrift(config, ep, subnetsOfNetwork(network));
  if (mappings) throw drift(`endpoint "${name}" has port mappings [${mappings.have}], expected [${mappings.want}]`);

  checkPrevResult(prev, ep, ctx.ifName, name);
}

/**
 * The addresses and MAC reported for CNI_IFNAME by ADD must still be the endpoint's. Ours are the
 * addresses whose `interface` is CNI_IFNAME's index; one without an index is ours only when prevResult
 * names no other interface (a 0.x result names none at all).
 */
function checkPrevResult(prev: Result, ep: HostComputeEndpoint, ifName: string, name: string): void {
  const interfaces = prev.interfaces ?? [];
  const index = interfaces.findIndex((i) => i.name === ifName);
  if (interfaces.length > 0 && index < 0) {
    throw drift(
      `prevResult reports no interface ${ifName} (it has ${interfaces.map((i) => i.name).join(', ')}): it is not the result of this attachment`,
    );
  }
  const iface = interfaces[index];
  if (iface?.mac && ep.MacAddress && iface.mac.toLowerCase() !== cniMac(ep.MacAddress)) {
    throw drift(`endpoint "${name}" has MAC ${cniMac(ep.MacAddress)}, but ${iface.mac} was reported for ${ifName}`);
  }
  const onlyOurs = interfaces.every((i) => i.name === ifName);
  const have = ep.IpConfigurations.map((c) => c.IpAddress);
  for (const ip of prev.ips ?? []) {
    if (ip.interface === undefined ? !onlyOurs : ip.interface !== index) continue;
    const address = ip.address.split('/')[0] as string;
    if (!have.includes(address)) {
      throw drift(`endpoint "${name}" has address ${have.join(', ') || '(none)'}, but ${address} was reported`);
    }
  }
}
