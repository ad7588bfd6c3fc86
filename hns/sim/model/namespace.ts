/** Namespaces and endpoint attach/detach through HcnModifyNamespace (hcsshim hcn/hcnnamespace.go). */
import {
  HostComputeNamespace,
  ModifyRequest,
  NamespaceContainerRequest,
  NamespaceEndpointRequest,
  NamespaceModifyResourceType,
} from '../../schema';
import { isZeroGuid, parseGuid, randomGuid } from '../../guid';
import type { EndpointRecord, NamespaceRecord, SimState } from '../state';
import { fail, parseDocument, parseWith } from './failure';

/** Namespaces answer ERROR_NOT_FOUND, not an HCN code [S hcsshim TestNotFoundError, O antrea#2301]. */
export function findNamespace(state: SimState, id: string): NamespaceRecord {
  return state.namespaces.find((n) => n.id === id) ?? fail('ERROR_NOT_FOUND', `namespace ${id}`);
}

/**
 * The host's own default compartment (IsDefault true, CompartmentId 1, Type HostDefault in the v2
 * view [O projectcalico/calico#8465 Get-HnsNamespace]) follows the `defaultNamespace` setting. It is
 * the one namespace that is special: `isDefault` marks it alone, whatever Type a client creates.
 */
export function ensureDefaultNamespace(state: SimState): void {
  const existing = state.namespaces.find((n) => n.isDefault);
  if (state.settings.defaultNamespace && !existing) {
    state.namespaces.unshift({
      id: randomGuid(),
      namespaceId: 1,
      type: 'HostDefault',
      isDefault: true,
      resources: [],
      schemaVersion: { Major: 2, Minor: 0 },
    });
  } else if (!state.settings.defaultNamespace && existing && existing.resources.length === 0) {
    state.namespaces = state.namespaces.filter((n) => n !== existing);
  }
}

export function createNamespace(state: SimState, requestedId: string, settings: string): string {
  const req = parseWith(HostComputeNamespace, parseDocument(settings), 'E_INVALIDARG', 'namespace');
  const id = isZeroGuid(requestedId) ? randomGuid() : requestedId;
  // No namespace-specific "already exists" code; the Win32 one is the nearest [I].
  if (state.namespaces.some((n) => n.id === id)) fail('ERROR_ALREADY_EXISTS', `namespace ${id}`);
  // Any Type may be created, HostDefault and GuestDefault too, next to the host's default one: hcsshim's
  // own tests do (hcn/hcnutils_test.go HcnCreateTestNamespace, hcn/hcnnamespace_test.go
  // TestSyncNamespaceHostDefault, cmd/ncproxy/hcn_networking_test.go TestAddEndpoint_Error_NoEndpoint)
  // and expect success. (GCN_E_DEFAULTNAMESPACE_EXISTS is a guest-side GCN code, not a host answer.)
  // A fresh namespace has compartment 0 until a container lands in it [O projectcalico/calico#8465].
  state.namespaces.push({
    id,
    namespaceId: req.NamespaceId,
    type: req.Type,
    isDefault: false,
    resources: [],
    schemaVersion: req.SchemaVersion ?? { Major: 2, Minor: 0 },
  });
  return id;
}

/** Clear an endpoint's attachment and its namespace's resource entry. */
export function detachEndpoint(state: SimState, ep: EndpointRecord): void {
  if (ep.namespaceId === undefined) return;
  const ns = state.namespaces.find((n) => n.id === ep.namespaceId);
  if (ns) ns.resources = ns.resources.filter((r) => !(r.type === 'Endpoint' && r.id === ep.id));
  ep.namespaceId = undefined;
}

export function deleteNamespace(state: SimState, id: string): void {
  const ns = findNamespace(state, id);
  // Only the host's default compartment is refused [I]; a client deletes what it created, whatever its
  // Type (the hcsshim tests above delete their HostDefault and GuestDefault namespaces and expect success).
  if (ns.isDefault && state.settings.deleteHostDefaultNamespace === 'refuse')
    fail('E_ACCESSDENIED', "the host's default namespace cannot be deleted");
  const members = state.endpoints.filter((e) => e.namespaceId === id);
  if (members.length > 0 && state.settings.deleteNamespaceWithEndpoints === 'refuse') {
    fail('HCN_E_ENTITY_HAS_REFERENCES', `namespace ${id} has ${members.length} endpoint(s)`);
  }
  for (const ep of members) detachEndpoint(state, ep);
  state.namespaces = state.namespaces.filter((n) => n.id !== id);
}

export function modifyNamespace(state: SimState, id: string, settings: string): void {
  const ns = findNamespace(state, id);
  const req = parseWith(ModifyRequest, parseDocument(settings), 'E_INVALIDARG', 'modify request');
  const resource = parseWith(NamespaceModifyResourceType, req.ResourceType, 'E_INVALIDARG', 'ResourceType');
  if (req.RequestType !== 'Add' && req.RequestType !== 'Remove')
    fail('HCN_E_REQUEST_UNSUPPORTED', `${req.RequestType} on a namespace`);

  if (resource === 'Container') {
    const { ContainerId } = parseWith(NamespaceContainerRequest, req.Settings, 'E_INVALIDARG', 'Settings');
    const present = ns.resources.some((r) => r.type === 'Container' && r.id === ContainerId);
    if (req.RequestType === 'Add') {
      if (present) fail('ERROR_ALREADY_EXISTS', `container ${ContainerId}`);
      ns.resources.push({ type: 'Container', id: ContainerId });
    } else {
      if (!present) fail('ERROR_NOT_FOUND', `container ${ContainerId}`);
      ns.resources = ns.resources.filter((r) => !(r.type === 'Container' && r.id === ContainerId));
    }
    return;
  }

  const { EndpointId } = parseWith(NamespaceEndpointRequest, req.Settings, 'E_INVALIDARG', 'Settings');
  const epId =
    parseGuid(EndpointId) ?? fail('HCN_E_GUID_CONVERSION_FAILURE', `EndpointId ${JSON.stringify(EndpointId)}`);
  const ep = state.endpoints.find((e) => e.id === epId) ?? fail('HCN_E_ENDPOINT_NOT_FOUND', `endpoint ${epId}`);
  if (req.RequestType === 'Add') {
    // Whether in this namespace or another one [S message; I applicability].
    if (ep.namespaceId !== undefined) fail('HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS');
    ns.resources.push({ type: 'Endpoint', id: epId });
    ep.namespaceId = ns.id;
    return;
  }
  if (ep.namespaceId !== ns.id) {
    if (state.settings.detachNotAttached === 'notFound')
      fail('ERROR_NOT_FOUND', `endpoint ${epId} is not in namespace ${ns.id}`);
    return;
  }
  detachEndpoint(state, ep);
}
