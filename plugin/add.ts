/**
 * ADD: find or create the NAT network, create the endpoint `<containerID>_<network>` with its
 * policies, attach it to the namespace CNI_NETNS, and report the attachment as HNS has it. Everything
 * this call creates is undone, in reverse order, when a later step fails (the network excepted: it is
 * shared, as with the Go plugin). Runs under the per-network lock, so parallel ADDs on a network that
 * does not exist yet create it once.
 */
import type { CniContext } from '../spec/skel';
import { CniCode, CniError } from '../spec/errors';
import type { Result } from '../spec/result/model';
import type { HcnApi } from '../hns/api';
import { guidEquals } from '../hns/guid';
import { hasHresult, HR } from '../hns/errors';
import type { HostComputeEndpoint, HostComputeNetwork } from '../hns/schema';
import { isPortMapping } from '../hns/schema';
import {
  attachEndpoint,
  createEndpoint,
  createNetwork,
  deleteEndpoint,
  detachEndpoint,
  endpointNamespace,
  findEndpointByName,
  findNetworkByName,
  getEndpointById,
  getNamespace,
  listEndpoints,
  modifyEndpointPolicies,
} from '../hns/client';
import { parseNatConfig, type NatConfig } from './config';
import type { PluginDeps } from './deps';
import { NatCode, toCniErrorFromHns, withHnsWarningsLogged } from './errors';
import { refuseNestedDelegation } from './ipam';
import { delegatedIpam, type Ipam } from './delegated-ipam';
import { requireHnsFeatures } from './features';
import {
  endpointRequest,
  hasLoopbackDsr,
  loopbackDsrPolicy,
  networkRequest,
  portMappingDrift,
  subnetMismatches,
  subnetOf,
  subnetsOfNetwork,
  type NetworkSubnetInfo,
} from './hnsrequests';
import { endpointName, namespaceGuid } from './netns';
import { attachmentResult, chainResult, cniMac } from './result';

export function cmdAdd(ctx: CniContext<'ADD'>, deps: PluginDeps): Result {
  refuseNestedDelegation(process.env);
  const config = parseNatConfig(ctx.rawConfig, { args: ctx.args });
  const netns = namespaceGuid(ctx.netns);
  for (const w of config.warnings) deps.log.warn(w, { network: config.name });
  const ipam = delegatedIpam(config.ipam.type, ctx, deps);
  ipam.resolve();
  const api = deps.api();
  return withHnsWarningsLogged(deps.log, () => {
    requireHnsFeatures(api, config);
    return chainResult(
      ctx.prevResult,
      deps.lock(config.name, () => addLocked(ctx, deps, api, config, netns, ipam)),
    );
  });
}

/** Steps to take back, newest first, when a later step fails. */
type Undo = { what: string; run: () => void };

function addLocked(
  ctx: CniContext<'ADD'>,
  deps: PluginDeps,
  api: HcnApi,
  config: NatConfig,
  netns: string,
  ipam: Ipam,
): Result {
  const step = (doing: string) => `${doing} (container ${ctx.containerId}, network "${config.name}")`;
  const hns = <T>(doing: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw toCniErrorFromHns(e, step(doing));
    }
  };

  if (!hns('looking up the namespace CNI_NETNS', () => getNamespace(api, netns))) {
    throw new CniError(CniCode.UnknownContainer, `the HNS namespace ${netns} (CNI_NETNS) does not exist`);
  }
  const network = hns('finding or creating the network', () => findOrCreateNetwork(api, deps, config));
  const subnets = subnetsOfNetwork(network);
  const networkId = network.ID as string;
  const name = endpointName(ctx.containerId, config.name, ctx.ifName);
  const result = (endpoint: HostComputeEndpoint) =>
    attachmentResult({ endpoint, subnets, ifName: ctx.ifName, netns: ctx.netns, dns: config.dns });

  const existing = hns('looking up the endpoint', () => findEndpointByName(api, name));
  if (existing?.ID !== undefined) {
    const reused = hns('reusing the existing endpoint', () =>
      reuseEndpoint(api, deps, config, existing, networkId, subnets, netns),
    );
    if (reused) return result(reused);
  }

  const undo: Undo[] = [];
  try {
    let addresses = config.staticIps.map((ip) => ip.address);
    if (ipam.type !== undefined) {
      // No endpoint of this attachment exists now (a replaced one is deleted), so no address of it is in use.
      const allocated = ipam.allocate();
      undo.push({ what: `releasing the address from IPAM plugin ${ipam.type}`, run: () => ipam.release() });
      addresses = ipamAddresses(allocated, subnets);
    }
    let endpoint = hns('creating the endpoint', () => {
      try {
        return createEndpoint(api, networkId, endpointRequest(config, { name, networkId, subnets, addresses }));
      } catch (e) {
        if (hasHresult(e, HR.HCN_E_PORT_ALREADY_EXISTS)) throw portConflict(api, config, e);
        throw e;
      }
    });
    const endpointId = endpoint.ID as string;
    undo.push({ what: `deleting endpoint ${endpointId}`, run: () => void deleteEndpoint(api, endpointId) });
    if (config.flags.loopbackDSR) {
      const own = endpoint.IpConfigurations.map((c) => c.IpAddress);
      endpoint = hns('adding the loopback DSR policy', () =>
        modifyEndpointPolicies(api, endpointId, 'Add', [loopbackDsrPolicy(own)]),
      );
    }
    hns('attaching the endpoint to the namespace CNI_NETNS', () => attachEndpoint(api, netns, endpointId));
    deps.log.info('endpoint attached', { endpoint: endpointId, name, namespace: netns, network: networkId });
    return result(endpoint);
  } catch (e) {
    rollBack(undo, deps);
    throw e;
  }
}

/**
 * Undo, newest first. A step that fails stops the rest: what came before it is still in use (an IPAM
 * address is released only once the endpoint holding it is gone, or another container could get it).
 */
function rollBack(undo: Undo[], deps: PluginDeps): void {
  const steps = [...undo].reverse();
  for (const [i, u] of steps.entries()) {
    try {
      u.run();
    } catch (e) {
      // The original failure is what the runtime must see; a failed undo is logged for the operator.
      deps.log.error(`rollback step failed: ${u.what}`, {
        error: e instanceof Error ? e.message : String(e),
        skipped: steps.slice(i + 1).map((s) => s.what),
      });
      return;
    }
  }
}

/**
 * `master` as HNS will take it: the adapter of that name (any case, as Windows matches friendly names)
 * when the host has one, or when it cannot tell. Otherwise no adapter at all, with a warning: the Go
 * plugin ignores `master` (its issue #100), and containerd's and nerdctl's configs write "Ethernet"
 * whatever the adapter is called, so a policy naming a missing adapter would fail an ADD that works
 * with Go. optionalFlags.errorOnMissingAdapter makes it an error instead.
 */
function hostAdapter(deps: PluginDeps, config: NatConfig): string | undefined {
  const wanted = config.master;
  if (wanted === undefined || wanted === '') return undefined;
  const adapters = deps.hostAdapters();
  if (adapters === undefined) return wanted;
  const match = adapters.find((a) => a.toLowerCase() === wanted.toLowerCase());
  if (match !== undefined) return match;
  const have = adapters.length > 0 ? adapters.map((a) => `"${a}"`).join(', ') : 'none';
  const problem = `"master": "${wanted}" names no network adapter of this host (its adapters: ${have})`;
  if (config.flags.errorOnMissingAdapter) {
    throw new CniError(
      CniCode.InvalidNetworkConfig,
      problem,
      'optionalFlags.errorOnMissingAdapter is set; name one of the adapters, or leave master out',
    );
  }
  deps.log.warn(
    `${problem}; creating network "${config.name}" without a host adapter, as the Go plugin does (it ignores master). A NAT network needs none: leave master out, or name one of the adapters`,
    { network: config.name },
  );
  return undefined;
}

function findOrCreateNetwork(api: HcnApi, deps: PluginDeps, config: NatConfig): HostComputeNetwork {
  const found = findNetworkByName(api, config.name);
  if (!found) {
    const created = createNetwork(api, networkRequest(config, hostAdapter(deps, config)));
    deps.log.info('network created', { network: created.ID, name: config.name });
    return created;
  }
  if (found.Type !== 'NAT') {
    throw new CniError(
      CniCode.InvalidNetworkConfig,
      `HNS network "${config.name}" exists with type ${found.Type}; this plugin attaches only to NAT networks`,
    );
  }
  const problems = subnetMismatches(config, subnetsOfNetwork(found));
  if (problems.length > 0) {
    if (config.flags.errorOnNetworkMismatch) {
      throw new CniError(
        CniCode.InvalidNetworkConfig,
        problems.join('; '),
        'optionalFlags.errorOnNetworkMismatch is set',
      );
    }
    // The network's own subnet and gateway are what its endpoints can use (nerdctl#28).
    deps.log.warn(`${problems.join('; ')}; using the network's subnet and gateway`, { network: found.ID });
  }
  return found;
}

/**
 * A repeated ADD for the same container and network: the existing endpoint is the answer when it is
 * the one this config would create. A missing or wrong namespace attachment is repaired. An endpoint
 * left from an older network of the same name, or with other port mappings, IP or MAC, is replaced
 * (undefined is returned after deleting it).
 */
function reuseEndpoint(
  api: HcnApi,
  deps: PluginDeps,
  config: NatConfig,
  existing: HostComputeEndpoint,
  networkId: string,
  subnets: readonly NetworkSubnetInfo[],
  netns: string,
): HostComputeEndpoint | undefined {
  const id = existing.ID as string;
  const mismatch = endpointMismatch(config, existing, networkId, subnets);
  if (mismatch !== undefined) {
    deps.log.warn(`replacing endpoint ${id}: ${mismatch}`, { endpoint: id });
    deleteEndpoint(api, id, existing);
    return undefined;
  }
  const attached = endpointNamespace(existing);
  if (attached !== undefined && guidEquals(attached, netns)) return existing;
  if (attached !== undefined) {
    deps.log.warn(`moving endpoint ${id} from namespace ${attached} to ${netns}`, { endpoint: id });
    detachEndpoint(api, attached, id);
  } else {
    deps.log.warn(`endpoint ${id} was not attached to its namespace; attaching it`, { endpoint: id });
  }
  attachEndpoint(api, netns, id);
  return getEndpointById(api, id) ?? existing;
}

/** Why an existing endpoint is not the one this config describes, or undefined when it is. */
export function endpointMismatch(
  config: NatConfig,
  ep: HostComputeEndpoint,
  networkId: string,
  subnets: readonly NetworkSubnetInfo[],
): string | undefined {
  if (!ep.HostComputeNetwork || !guidEquals(ep.HostComputeNetwork, networkId)) {
    return `it belongs to network ${ep.HostComputeNetwork ?? '(none)'}, not ${networkId}`;
  }
  const drift = portMappingDrift(config, ep, subnets);
  if (drift) return `its port mappings [${drift.have}] differ from the requested [${drift.want}]`;
  if (config.flags.loopbackDSR && !hasLoopbackDsr(ep)) return 'it lacks the loopback DSR policy the config asks for';
  for (const ip of config.staticIps) {
    if (!ep.IpConfigurations.some((c) => c.IpAddress === ip.address))
      return `it does not have the requested address ${ip.address}`;
  }
  if (config.mac && ep.MacAddress && cniMac(ep.MacAddress) !== cniMac(config.mac)) {
    return `its MAC ${ep.MacAddress} differs from the requested ${config.mac}`;
  }
  if (!ep.IpConfigurations.some((c) => subnetOf(subnets, c.IpAddress)))
    return 'its address is outside the network subnets';
  return undefined;
}

/** The IPAM plugin's addresses that the endpoint takes: the first per family, inside a network subnet when one fits. */
function ipamAddresses(result: Result | undefined, subnets: readonly NetworkSubnetInfo[]): string[] {
  const addresses = (result?.ips ?? []).map((ip) => ip.address.split('/')[0] as string);
  if (addresses.length === 0) {
    throw new CniError(NatCode.IpamFailure, 'the IPAM plugin returned no IP address');
  }
  const chosen: string[] = [];
  for (const family of [4, 6] as const) {
    const ofFamily = addresses.filter((a) => a.includes(':') === (family === 6));
    const pick = ofFamily.find((a) => subnetOf(subnets, a)) ?? ofFamily[0];
    if (pick !== undefined) chosen.push(pick);
  }
  return chosen;
}

/** A port conflict in the user's terms: which host port, and which endpoint holds it. */
function portConflict(api: HcnApi, config: NatConfig, cause: unknown): CniError {
  const holders: string[] = [];
  try {
    for (const ep of listEndpoints(api)) {
      for (const p of ep.Policies.filter(isPortMapping)) {
        const taken = config.portMappings.find(
          (m) =>
            m.hostPort === p.Settings.ExternalPort &&
            m.protocol === p.Settings.Protocol &&
            (m.vip === undefined || !p.Settings.VIP || m.vip === p.Settings.VIP),
        );
        if (taken)
          holders.push(
            `host port ${taken.hostPort}/${protocolName(taken.protocol)} is already mapped by endpoint "${ep.Name}"`,
          );
      }
    }
  } catch {
    // Describing the conflict is a courtesy; the conflict itself is reported below either way.
  }
  const ports = config.portMappings.map((m) => `${m.hostPort}/${protocolName(m.protocol)}`).join(', ');
  const msg = holders.length > 0 ? holders.join('; ') : `a host port of this container (${ports}) is already in use`;
  return new CniError(NatCode.PortConflict, msg, (cause as { message?: string }).message, { cause });
}

const protocolName = (n: number): string => ({ 6: 'tcp', 17: 'udp' })[n] ?? String(n);
