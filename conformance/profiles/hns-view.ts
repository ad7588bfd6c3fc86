/**
 * How the nat profile sees HNS. Two ways, one shape (the objects as HcnQuery*Properties prints them):
 *
 *   simulatorView  `hns-sim dump` and `hns-sim namespace create`: the simulator's own CLI, which
 *                  exists nowhere but here;
 *   hcnView        the HCN API itself (computenetwork.dll, or a library with its exports such as the
 *                  fake one, which forwards to `hns-sim serve`), enumerate/open/query/close per
 *                  object as hcsshim does; this is how the suite sees a real Windows host.
 *
 * hcnView reads raw Query*Properties output rather than typed objects, so that both views hand the
 * profile the very documents HNS wrote.
 */
import { execFile } from 'node:child_process';
import type { HcnApi, HcnObjectCalls } from '../../hns/api';
import { isNotFound } from '../../hns/errors';
import { ZERO_GUID } from '../../hns/guid';
import { writeNamespaceEndpointRequest, writeNamespaceRequest, writeQuery } from '../../hns/schema';
import type { JsonObject } from './types';

export interface HnsObjects {
  networks: JsonObject[];
  endpoints: JsonObject[];
  namespaces: JsonObject[];
}

export interface HnsView {
  readonly kind: 'simulator CLI' | 'HCN API';
  objects(): Promise<HnsObjects>;
  /** A namespace made as containerd makes one (netns.NewNetNS: SchemaVersion 0.0); its ID as HNS prints it. */
  createNamespace(): Promise<string>;
  /** Removal, for a suite that must leave a real host as it found it. */
  detachEndpoint(namespaceId: string, endpointId: string): Promise<void>;
  deleteEndpoint(id: string): Promise<void>;
  deleteNetwork(id: string): Promise<void>;
  deleteNamespace(id: string): Promise<void>;
  close(): void;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function runSim(hnsSim: string, stateDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      hnsSim,
      ['--state', stateDir, ...args],
      { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`hns-sim ${args.join(' ')}: ${err.message} ${stderr.trim()}`));
        else resolve(stdout);
      },
    );
  });
}

/** Every object stored under a key matching `key` (e.g. "endpoints"), as an array or an id-keyed map. */
export function collectObjects(dump: unknown, key: RegExp): JsonObject[] {
  const out: JsonObject[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (!isObject(v) || depth > 3) return;
    for (const [k, x] of Object.entries(v)) {
      if (key.test(k)) {
        if (Array.isArray(x)) out.push(...x.filter(isObject));
        else if (isObject(x)) out.push(...Object.values(x).filter(isObject));
      } else visit(x, depth + 1);
    }
  };
  visit(dump, 0);
  return out;
}

/**
 * The dump is read tolerantly (keys in any case, objects in arrays or id-keyed maps): its layout
 * belongs to the simulator, not to this suite.
 */
export function simulatorView(hnsSim: string, stateDir: string): HnsView {
  const run = (args: string[]) => runSim(hnsSim, stateDir, args);
  const unsupported = async (): Promise<void> => {
    throw new Error('the simulator view removes no networks or namespaces: its state folder goes as a whole');
  };
  return {
    kind: 'simulator CLI',
    async objects() {
      const d = JSON.parse(await run(['dump'])) as unknown;
      return {
        networks: collectObjects(d, /^networks?$/i),
        endpoints: collectObjects(d, /^endpoints?$/i),
        namespaces: collectObjects(d, /^namespaces?$/i),
      };
    },
    async createNamespace() {
      return (await run(['namespace', 'create'])).trim();
    },
    // The simulator's admin command detaches as it deletes (C-67's removal behind the plugin's back).
    detachEndpoint: async () => undefined,
    async deleteEndpoint(id) {
      await run(['endpoint', 'delete', id]);
    },
    deleteNetwork: unsupported,
    deleteNamespace: unsupported,
    close() {},
  };
}

/** Enumerate, then open, query and close each, skipping what another process deleted in between. */
function listRaw(calls: HcnObjectCalls): JsonObject[] {
  const query = writeQuery();
  const ids = JSON.parse(calls.enumerate(query)) as unknown;
  if (!Array.isArray(ids)) throw new Error(`Enumerate answered ${JSON.stringify(ids)}, not a list of IDs`);
  const out: JsonObject[] = [];
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    try {
      const h = calls.open(id);
      try {
        const doc = JSON.parse(calls.query(h, query)) as unknown;
        if (isObject(doc)) out.push(doc);
      } finally {
        calls.close(h);
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return out;
}

export function hcnView(api: HcnApi): HnsView {
  return {
    kind: 'HCN API',
    async objects() {
      return { networks: listRaw(api.network), endpoints: listRaw(api.endpoint), namespaces: listRaw(api.namespace) };
    },
    async createNamespace() {
      const h = api.namespace.create(ZERO_GUID, writeNamespaceRequest({ SchemaVersion: { Major: 0, Minor: 0 } }));
      try {
        const doc = JSON.parse(api.namespace.query(h, writeQuery())) as { ID?: unknown };
        if (typeof doc.ID !== 'string')
          throw new Error(`HcnQueryNamespaceProperties gave no ID: ${JSON.stringify(doc)}`);
        return doc.ID;
      } finally {
        api.namespace.close(h);
      }
    },
    async detachEndpoint(namespaceId, endpointId) {
      const h = api.namespace.open(namespaceId);
      try {
        api.namespace.modify(h, writeNamespaceEndpointRequest('Remove', endpointId));
      } finally {
        api.namespace.close(h);
      }
    },
    async deleteEndpoint(id) {
      api.endpoint.delete(id);
    },
    async deleteNetwork(id) {
      api.network.delete(id);
    },
    async deleteNamespace(id) {
      api.namespace.delete(id);
    },
    close() {
      api.dispose();
    },
  };
}
