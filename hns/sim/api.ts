/**
 * createSimApi: HcnApi (hns/api.ts) over the simulator, in this process. Handles are objects of
 * this api instance; every call goes through the same dispatcher as the loopback server, so the
 * in-process and FFI paths see one HNS model and one state folder.
 */
import type { HcnApi, HcnHandle, HcnObjectCalls } from '../api';
import { HnsError } from '../errors';
import { type SimCoreOptions, type ObjectKind, createSimCore } from './core';
import { hangForever } from './sleep';

export type SimApiOptions = SimCoreOptions;

const FAMILY: Record<ObjectKind, { plural: string; single: string }> = {
  network: { plural: 'Networks', single: 'Network' },
  endpoint: { plural: 'Endpoints', single: 'Endpoint' },
  namespace: { plural: 'Namespaces', single: 'Namespace' },
};

export function createSimApi(stateDir: string, options: SimApiOptions = {}): HcnApi {
  const core = createSimCore(stateDir, options);
  const handleValues = new WeakMap<object, number>();
  let disposed = false;

  const toHandle = (value: string | null): HcnHandle => {
    const h = Object.freeze({ simHandle: Number(value) });
    handleValues.set(h, Number(value));
    return h as unknown as HcnHandle;
  };
  /** A handle of another api instance (or a forged one) is just an invalid handle value: 0. */
  const fromHandle = (h: HcnHandle): string => String(handleValues.get(h) ?? 0);

  /** Run one export; throw HnsError on failure or on a non-empty ErrorRecord, as hns/api.ts says. */
  function call(fn: string, args: (string | null)[]): (string | null)[] {
    if (disposed) throw new Error('the simulator api was disposed');
    const r = core.invoke(fn, args);
    if (r.hang) hangForever();
    const record = fn.startsWith('HcnClose') || fn === 'HNSCall' ? null : (r.outs[r.outs.length - 1] ?? null);
    if ((r.hresult | 0) < 0 || (record !== null && record !== ''))
      throw new HnsError(fn, r.hresult, record ?? undefined);
    return r.outs;
  }

  function family(kind: ObjectKind): HcnObjectCalls {
    const { plural, single } = FAMILY[kind];
    return {
      enumerate: (query) => call(`HcnEnumerate${plural}`, [query])[0] ?? '[]',
      open: (id) => toHandle(call(`HcnOpen${single}`, [id])[0] ?? null),
      modify: (h, settings) => void call(`HcnModify${single}`, [fromHandle(h), settings]),
      query: (h, query) => call(`HcnQuery${single}Properties`, [fromHandle(h), query])[0] ?? '',
      delete: (id) => void call(`HcnDelete${single}`, [id]),
      close: (h) => {
        call(`HcnClose${single}`, [fromHandle(h)]);
        handleValues.delete(h);
      },
    };
  }

  return {
    network: {
      ...family('network'),
      create: (id, settings) => toHandle(call('HcnCreateNetwork', [id, settings])[0] ?? null),
    },
    endpoint: {
      ...family('endpoint'),
      create: (network, id, settings) =>
        toHandle(call('HcnCreateEndpoint', [fromHandle(network), id, settings])[0] ?? null),
    },
    namespace: {
      ...family('namespace'),
      create: (id, settings) => toHandle(call('HcnCreateNamespace', [id, settings])[0] ?? null),
    },
    hnsCall: (method, path, request) => call('HNSCall', [method, path, request])[0] ?? '',
    dispose: () => {
      disposed = true;
    },
  };
}
