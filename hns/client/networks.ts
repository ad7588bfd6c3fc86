/** HostComputeNetwork operations (hcsshim hcn/hcnnetwork.go call sequences). */
import type { HcnApi } from '../api';
import { HostComputeNetwork, writeNetworkRequest } from '../schema';
import type { NetworkRequest } from '../schema';
import { createAndRead, decodeJson } from './handles';
import { DEFAULT_QUERY, listObjects, removeObject } from './query';

export const listNetworks = (api: HcnApi, filter?: Record<string, unknown>): HostComputeNetwork[] =>
  listObjects(api.network, 'Network', HostComputeNetwork, filter);

/** The first network with this exact name (HNS names are case-sensitive [I]), or undefined. */
export const findNetworkByName = (api: HcnApi, name: string): HostComputeNetwork | undefined =>
  listNetworks(api, { Name: name })[0];

export const getNetworkById = (api: HcnApi, id: string): HostComputeNetwork | undefined =>
  listNetworks(api, { ID: id })[0];

/**
 * hcsshim validates subnets before calling HNS: a subnet with a prefix needs a gateway on every
 * route and a default route. We refuse the same requests with the same words.
 */
export function validateNetworkRequest(req: NetworkRequest): string | undefined {
  for (const ipam of req.Ipams ?? []) {
    for (const subnet of ipam.Subnets ?? []) {
      if (!subnet.IpAddressPrefix) continue;
      const routes = subnet.Routes ?? [];
      if (routes.some((r) => !r.NextHop))
        return 'network create error, subnet has address prefix but no gateway specified';
      if (!routes.some((r) => r.DestinationPrefix === '0.0.0.0/0' || r.DestinationPrefix === '::/0')) {
        return 'network create error, no default gateway';
      }
    }
  }
  return undefined;
}

export class NetworkRequestError extends Error {
  override readonly name = 'NetworkRequestError';
}

export function createNetwork(api: HcnApi, req: NetworkRequest): HostComputeNetwork {
  const invalid = validateNetworkRequest(req);
  if (invalid) throw new NetworkRequestError(invalid);
  return createAndRead(
    (id) => api.network.create(id, writeNetworkRequest(req)),
    (h) => api.network.close(h),
    (h) => decodeJson('HcnQueryNetworkProperties', api.network.query(h, DEFAULT_QUERY), HostComputeNetwork),
    (id) => void removeObject(api.network, 'Network', id),
  );
}

export const deleteNetwork = (api: HcnApi, id: string): void => api.network.delete(id);
