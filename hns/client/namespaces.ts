/** HostComputeNamespace operations: lookup and endpoint attach/detach (hcsshim hcn/hcnnamespace.go). */
import type { HcnApi } from '../api';
import {
  HostComputeNamespace,
  namespaceEndpointIds,
  writeNamespaceEndpointRequest,
  writeNamespaceRequest,
} from '../schema';
import type { NamespaceRequest } from '../schema';
import { createAndRead, decodeJson, withHandle } from './handles';
import { DEFAULT_QUERY, listObjects, removeObject } from './query';
import { guidEquals } from '../guid';

export const listNamespaces = (api: HcnApi, filter?: Record<string, unknown>): HostComputeNamespace[] =>
  listObjects(api.namespace, 'Namespace', HostComputeNamespace, filter);

/** GetNamespaceByID: enumerate with an ID filter; undefined when there is none. */
export const getNamespace = (api: HcnApi, id: string): HostComputeNamespace | undefined =>
  listNamespaces(api, { ID: id })[0];

export function createNamespace(api: HcnApi, req: NamespaceRequest = {}): HostComputeNamespace {
  return createAndRead(
    (id) => api.namespace.create(id, writeNamespaceRequest(req)),
    (h) => api.namespace.close(h),
    (h) => decodeJson('HcnQueryNamespaceProperties', api.namespace.query(h, DEFAULT_QUERY), HostComputeNamespace),
    (id) => void removeObject(api.namespace, 'Namespace', id),
  );
}

export const deleteNamespace = (api: HcnApi, id: string): void => api.namespace.delete(id);

function modifyNamespaceEndpoint(api: HcnApi, namespaceId: string, endpointId: string, request: 'Add' | 'Remove') {
  return withHandle(
    () => api.namespace.open(namespaceId),
    (h) => api.namespace.close(h),
    (h) => {
      api.namespace.modify(h, writeNamespaceEndpointRequest(request, endpointId));
      return decodeJson('HcnQueryNamespaceProperties', api.namespace.query(h, DEFAULT_QUERY), HostComputeNamespace);
    },
  );
}

/** AddNamespaceEndpoint: the namespace as HNS has it afterwards. */
export const attachEndpoint = (api: HcnApi, namespaceId: string, endpointId: string): HostComputeNamespace =>
  modifyNamespaceEndpoint(api, namespaceId, endpointId, 'Add');

/** RemoveNamespaceEndpoint: the namespace as HNS has it afterwards. */
export const detachEndpoint = (api: HcnApi, namespaceId: string, endpointId: string): HostComputeNamespace =>
  modifyNamespaceEndpoint(api, namespaceId, endpointId, 'Remove');

export const namespaceHasEndpoint = (ns: HostComputeNamespace, endpointId: string): boolean =>
  namespaceEndpointIds(ns).some((id) => guidEquals(id, endpointId));
