/** The CNI result of an attachment, built from what HNS reports for the endpoint (never from the request). */
import type { Result } from '../spec/result/model';
import type { HostComputeEndpoint } from '../hns/schema';
import type { Dns } from './dns';
import { subnetOf, type NetworkSubnetInfo } from './hnsrequests';

/** HNS writes `00-15-5D-52-C0-0A`; CNI results carry `00:15:5d:52:c0:0a` (the Go plugin printed raw bytes). */
export const cniMac = (hnsMac: string): string => hnsMac.replace(/-/g, ':').toLowerCase();

export interface AttachmentFacts {
  endpoint: HostComputeEndpoint;
  subnets: readonly NetworkSubnetInfo[];
  ifName: string;
  netns: string;
  dns: Dns;
}

export function attachmentResult({ endpoint, subnets, ifName, netns, dns }: AttachmentFacts): Result {
  const ips: NonNullable<Result['ips']> = [];
  const routes: NonNullable<Result['routes']> = [];
  for (const cfg of endpoint.IpConfigurations) {
    // The network's real prefix; the endpoint's own PrefixLength only when the address is outside every subnet.
    const subnet = subnetOf(subnets, cfg.IpAddress);
    const prefixLength = subnet?.prefixLength ?? cfg.PrefixLength ?? (cfg.IpAddress.includes(':') ? 128 : 32);
    const gateway = subnet?.gateway;
    ips.push({ address: `${cfg.IpAddress}/${prefixLength}`, interface: 0, ...(gateway ? { gateway } : {}) });
  }
  for (const r of endpoint.Routes) {
    if (r.DestinationPrefix && r.NextHop) routes.push({ dst: r.DestinationPrefix, gw: r.NextHop });
  }
  const result: Result = {
    interfaces: [
      { name: ifName, sandbox: netns, ...(endpoint.MacAddress ? { mac: cniMac(endpoint.MacAddress) } : {}) },
    ],
    ips,
    routes,
    dns: {
      ...(dns.nameservers.length ? { nameservers: dns.nameservers } : {}),
      ...(dns.domain ? { domain: dns.domain } : {}),
      ...(dns.search.length ? { search: dns.search } : {}),
      ...(dns.options.length ? { options: dns.options } : {}),
    },
  };
  return result;
}

/**
 * A chained ADD (a prevResult from earlier plugins in the list) passes on what came before, with this
 * plugin's interface, addresses and routes added after it (interface indices shifted accordingly).
 */
export function chainResult(prev: Result | undefined, ours: Result): Result {
  if (!prev) return ours;
  const offset = prev.interfaces?.length ?? 0;
  const dns = ours.dns && Object.keys(ours.dns).length > 0 ? ours.dns : prev.dns;
  return {
    interfaces: [...(prev.interfaces ?? []), ...(ours.interfaces ?? [])],
    ips: [
      ...(prev.ips ?? []),
      ...(ours.ips ?? []).map((ip) => (ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset })),
    ],
    routes: [...(prev.routes ?? []), ...(ours.routes ?? [])],
    ...(dns ? { dns } : {}),
  };
}
