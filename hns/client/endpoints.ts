/** HostComputeEndpoint operations (hcsshim hcn/hcnendpoint.go call sequences). */
import type { HcnApi } from '../api';
import { isNotFound } from '../errors';
import { isZeroGuid } from '../guid';
import { HostComputeEndpoint, writeEndpointPolicyRequest, writeEndpointRequest } from '../schema';
import type { EndpointRequest, PolicyInput, RequestType } from '../schema';
import { createAndRead, decodeJson, withHandle } from './handles';
import { detachEndpoint } from './namespaces';
import { DEFAULT_QUERY, enumerateIds, listObjects, removeObject } from './query';

export const listEndpoints = (api: HcnApi, filter?: Record<string, unknown>): HostComputeEndpoint[] =>
  listObjects(api.endpoint, 'Endpoint', HostComputeEndpoint, filter);

/** The first endpoint with this exact name (HNS does not keep endpoint names unique [I]). */
export const findEndpointByName = (api: HcnApi, name: string): HostComputeEndpoint | undefined =>
  listEndpoints(api, { Name: name })[0];

export const getEndpointById = (api: HcnApi, id: string): HostComputeEndpoint | undefined =>
  listEndpoints(api, { ID: id })[0];

/** The IDs of the endpoints with this exact name, from the enumeration alone (no object is opened). */
export const endpointIdsByName = (api: HcnApi, name: string): string[] =>
  enumerateIds(api.endpoint, 'Endpoint', { Name: name });

/**
 * ListEndpointsOfNetwork: HNS evaluates filters against its internal (v1) property names, hence
 * `VirtualNetwork` rather than `HostComputeNetwork` (hcsshim's own TODO says so).
 */
export const listEndpointsOfNetwork = (api: HcnApi, networkId: string): HostComputeEndpoint[] =>
  listEndpoints(api, { VirtualNetwork: networkId });

export class EndpointRequestError extends Error {
  override readonly name = 'EndpointRequestError';
}

/** Open the network, create the endpoint on it, read it back, close both. */
export function createEndpoint(api: HcnApi, networkId: string, req: EndpointRequest): HostComputeEndpoint {
  if (req.HostComputeNamespace) {
    // hcsshim refuses this before calling HNS: the namespace is set only by attaching.
    throw new EndpointRequestError(
      'endpoint create error, endpoint json HostComputeNamespace is read only and should not be set',
    );
  }
  return withHandle(
    () => api.network.open(networkId),
    (nh) => api.network.close(nh),
    (nh) =>
      createAndRead(
        (id) => api.endpoint.create(nh, id, writeEndpointRequest({ ...req, HostComputeNetwork: networkId })),
        (eh) => api.endpoint.close(eh),
        (eh) => decodeJson('HcnQueryEndpointProperties', api.endpoint.query(eh, DEFAULT_QUERY), HostComputeEndpoint),
        (id) => void removeObject(api.endpoint, 'Endpoint', id),
      ),
  );
}

/** The namespace an endpoint is attached to, or undefined (HNS writes nothing or the zero GUID). */
export function endpointNamespace(ep: HostComputeEndpoint): string | undefined {
  const ns = ep.HostComputeNamespace;
  return ns && !isZeroGuid(ns) ? ns : undefined;
}

/**
 * Delete an endpoint, detaching it from its namespace first as every client does. A namespace or
 * endpoint that is already gone is not an error: the outcome the caller wants is reached. "Gone" is
 * what HNS lists, not what one call answered (see removeObject). A detach that finds nothing to
 * detach is not fatal either: HNS drops an attached endpoint from its namespace when deleting it.
 * Returns whether an endpoint was actually deleted by this call. `known` is the endpoint as the
 * caller just read it, to spare reading it again.
 */
export function deleteEndpoint(api: HcnApi, id: string, known?: HostComputeEndpoint): boolean {
  const ep = known ?? getEndpointById(api, id);
  if (!ep) return false;
  const ns = endpointNamespace(ep);
  if (ns) {
    try {
      detachEndpoint(api, ns, id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return removeObject(api.endpoint, 'Endpoint', id);
}

/** ModifyEndpointSettings with a policy request (hcsshim ApplyPolicy/AddPolicy): the endpoint afterwards. */
export function modifyEndpointPolicies(
  api: HcnApi,
  id: string,
  requestType: RequestType,
  policies: PolicyInput[],
): HostComputeEndpoint {
  return withHandle(
    () => api.endpoint.open(id),
    (h) => api.endpoint.close(h),
    (h) => {
      api.endpoint.modify(h, writeEndpointPolicyRequest(requestType, policies));
      return decodeJson('HcnQueryEndpointProperties', api.endpoint.query(h, DEFAULT_QUERY), HostComputeEndpoint);
    },
  );
}
