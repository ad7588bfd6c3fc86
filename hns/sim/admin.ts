/**
 * Operations on a state folder that are not HCN calls: reset, settings, faults, dump. Each runs
 * under the folder lock, like the calls themselves.
 */
import { ZERO_GUID } from '../guid';
import { writeNamespaceRequest } from '../schema';
import { deleteEndpoint } from '../client';
import { createSimApi } from './api';
import { ensureDefault } from './core';
import { type FaultSpec, type Fault, makeFault } from './faults';
import { withLock } from '../lockfile';
import { ensureDefaultNamespace } from './model/namespace';
import { renderEndpoint, renderNamespace, renderNetwork } from './model/render';
import { type SimSettings, applySetting } from './settings';
import {
  type SimState,
  commitState,
  forgetObjects,
  initialState,
  loadBook,
  loadSettings,
  loadState,
  openState,
} from './state';

/**
 * Run `fn` on the state under the lock and save it; `objects` says whether `fn` may change objects
 * (the objects file is rewritten only then, or when the default namespace changed).
 */
const update = <T>(dir: string, objects: boolean, fn: (s: SimState) => T): T =>
  withLock(dir, loadSettings(dir).lockTimeoutMs, () => {
    const state = openState(dir);
    try {
      const changed = ensureDefault(state);
      const out = fn(state);
      commitState(dir, state, objects || changed);
      return out;
    } catch (e) {
      forgetObjects(dir);
      throw e;
    }
  });

/** Forget every object, fault and counter; settings survive unless `keepSettings` is false. */
export function resetState(dir: string, keepSettings = true): void {
  update(dir, true, (s) => {
    const fresh = initialState(keepSettings ? s.settings : undefined);
    Object.assign(s, fresh);
    ensureDefaultNamespace(s);
  });
}

export function setSetting(dir: string, key: string, value: string): SimSettings {
  return update(dir, true, (s) => {
    s.settings = applySetting(s.settings, key, value);
    ensureDefaultNamespace(s);
    return s.settings;
  });
}

export function updateSettings(dir: string, patch: Partial<SimSettings>): SimSettings {
  return update(dir, true, (s) => {
    for (const [k, v] of Object.entries(patch)) s.settings = applySetting(s.settings, k, JSON.stringify(v));
    ensureDefaultNamespace(s);
    return s.settings;
  });
}

export const addFault = (dir: string, spec: FaultSpec): Fault =>
  update(dir, false, (s) => {
    const f = makeFault(spec, s.faults, s.calls);
    s.faults.push(f);
    return f;
  });

export const listFaults = (dir: string): Fault[] => loadBook(dir).faults;

export const clearFaults = (dir: string): void => update(dir, false, (s) => void (s.faults = []));

export const callCounts = (dir: string): Record<string, number> => ({ ...loadBook(dir).calls });

export const readState = (dir: string): SimState => loadState(dir);

/** The whole state, objects rendered as HNS's Query*Properties would show them. */
export function dumpState(dir: string): Record<string, unknown> {
  const s = loadState(dir);
  ensureDefaultNamespace(s);
  return {
    settings: s.settings,
    networks: s.networks.map((n) => renderNetwork(s, n)),
    endpoints: s.endpoints.map((e) => renderEndpoint(s, e)),
    namespaces: s.namespaces.map((n) => renderNamespace(s, n)),
    faults: s.faults,
    calls: s.calls,
    ...(s.settings.recordCalls ? { callLog: s.callLog } : {}),
  };
}

/**
 * Create a namespace as containerd does (netns.NewNetNS: HcnCreateNamespace with the zero GUID and
 * SchemaVersion 0.0, then reads `ID` back from the properties) and return that ID text.
 */
export function createNamespaceLikeContainerd(dir: string, id: string = ZERO_GUID): string {
  const api = createSimApi(dir);
  try {
    const h = api.namespace.create(id, writeNamespaceRequest({ SchemaVersion: { Major: 0, Minor: 0 } }));
    try {
      const props = JSON.parse(api.namespace.query(h, '{"SchemaVersion":{"Major":2,"Minor":0}}')) as { ID: string };
      return props.ID;
    } finally {
      api.namespace.close(h);
    }
  } finally {
    api.dispose();
  }
}

/**
 * An endpoint removed behind the plugins' back, as an operator's `Remove-HnsEndpoint` (microsoft/SDN
 * hns.psm1) or `hnsdiag delete endpoints` does it: detached from its namespace, then deleted, through
 * the HCN calls any client makes. Returns whether there was such an endpoint.
 */
export function removeEndpointLikeAnOperator(dir: string, id: string): boolean {
  const api = createSimApi(dir);
  try {
    return deleteEndpoint(api, id);
  } finally {
    api.dispose();
  }
}
