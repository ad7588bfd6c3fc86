/**
 * HcnApi over koffi: the real computenetwork.dll on Windows, or any library with its exports (the
 * fake one in hns/sim/fake) given by path. Error handling follows hcsshim's checkForErrors: a
 * negative HRESULT, or a non-empty ErrorRecord even with S_OK, is a failure. Every out-string
 * (results and ErrorRecords, on success and on failure) is decoded and freed before anything is
 * thrown.
 */
import type { HcnApi, HcnHandle, HcnObjectCalls } from '../api';
import { HR, HnsError, errorRecordJson } from '../errors';
import { guidToStruct, type GuidStruct } from './guid-struct';
import { loadHcnLibrary, type HcnFamilyFunctions, type HcnLibrary, type OutPointer } from './library';

type Kind = 'network' | 'endpoint' | 'namespace';

interface OpenHandle {
  kind: Kind;
  pointer: bigint;
}

const out = (): OutPointer => [null];

function fail(call: string, hr: number, detail: string): never {
  throw new HnsError(call, hr, errorRecordJson(hr, detail));
}

export function createFfiApi(libraryPath?: string): HcnApi {
  let lib: HcnLibrary | undefined = loadHcnLibrary(libraryPath);
  // Handles are tokens mapped to the raw pointers, so that a closed, foreign or wrong-kind handle is
  // refused here instead of reaching the DLL, where it would be undefined behaviour.
  const handles = new Map<object, OpenHandle>();

  const library = (call: string): HcnLibrary => lib ?? fail(call, HR.E_HANDLE, 'the HcnApi was disposed');

  /** Strings cross as NUL-terminated UTF-16: an embedded NUL would silently cut the JSON short. */
  const wstr = (call: string, s: string): string => {
    if (s.includes('\0')) fail(call, HR.E_INVALIDARG, 'string argument contains a NUL character');
    return s;
  };

  const guid = (call: string, id: string): GuidStruct =>
    guidToStruct(id) ?? fail(call, HR.HCN_E_GUID_CONVERSION_FAILURE, `invalid GUID ${JSON.stringify(id)}`);

  const pointerOf = (call: string, handle: HcnHandle, kind: Kind): bigint => {
    const h = handles.get(handle);
    if (!h) fail(call, HR.E_HANDLE, `not an open handle of this HcnApi`);
    if (h.kind !== kind) fail(call, HR.E_HANDLE, `a ${h.kind} handle where a ${kind} handle is needed`);
    return h.pointer;
  };

  /** Frees both out-strings, then applies hcsshim's rule. */
  const finish = (call: string, hr: number, result: OutPointer | undefined, record: OutPointer): string | null => {
    const l = library(call);
    let text: string | null;
    let recordText: string | null;
    try {
      text = result ? l.take(result[0]) : null;
    } finally {
      recordText = l.take(record[0]);
    }
    if (hr < 0 || (recordText !== null && recordText !== '')) {
      throw new HnsError(call, hr >>> 0, recordText ?? undefined);
    }
    return text;
  };

  const requireText = (call: string, text: string | null): string =>
    text ?? fail(call, HR.E_UNEXPECTED, 'the call succeeded without returning its result string');

  /**
   * A Create/Open that fails by ErrorRecord alone may still have produced a handle; hcsshim leaks it,
   * we close it (best effort: the caller gets the original error).
   */
  const finishHandle = (call: string, kind: Kind, hr: number, handle: OutPointer, record: OutPointer): HcnHandle => {
    try {
      finish(call, hr, undefined, record);
    } catch (e) {
      const pointer = handle[0];
      if (pointer !== null && pointer !== 0n && lib) lib[kind].close(pointer);
      throw e;
    }
    return adopt(call, kind, handle);
  };

  const adopt = (call: string, kind: Kind, p: OutPointer): HcnHandle => {
    const pointer = p[0];
    if (pointer === null || pointer === 0n) fail(call, HR.E_UNEXPECTED, 'the call succeeded without a handle');
    const token = Object.freeze({}) as HcnHandle;
    handles.set(token, { kind, pointer });
    return token;
  };

  const familyCalls = (kind: Kind, names: { plural: string; singular: string }): HcnObjectCalls => {
    const fns = (call: string): HcnFamilyFunctions => library(call)[kind];
    const n = (verb: string, suffix = '') =>
      `Hcn${verb}${verb === 'Enumerate' ? names.plural : names.singular}${suffix}`;
    return {
      enumerate(query) {
        const call = n('Enumerate');
        const result = out();
        const record = out();
        const hr = fns(call).enumerate(wstr(call, query), result, record);
        return requireText(call, finish(call, hr, result, record));
      },
      open(id) {
        const call = n('Open');
        const handle = out();
        const record = out();
        const hr = fns(call).open(guid(call, id), handle, record);
        return finishHandle(call, kind, hr, handle, record);
      },
      modify(handle, settings) {
        const call = n('Modify');
        const record = out();
        const hr = fns(call).modify(pointerOf(call, handle, kind), wstr(call, settings), record);
        finish(call, hr, undefined, record);
      },
      query(handle, query) {
        const call = n('Query', 'Properties');
        const result = out();
        const record = out();
        const hr = fns(call).query(pointerOf(call, handle, kind), wstr(call, query), result, record);
        return requireText(call, finish(call, hr, result, record));
      },
      delete(id) {
        const call = n('Delete');
        const record = out();
        const hr = fns(call).delete(guid(call, id), record);
        finish(call, hr, undefined, record);
      },
      close(handle) {
        const call = n('Close');
        const pointer = pointerOf(call, handle, kind);
        // Gone for us whatever the DLL answers: closing twice is never right.
        handles.delete(handle);
        const hr = fns(call).close(pointer);
        if (hr < 0) throw new HnsError(call, hr >>> 0);
      },
    };
  };

  const create = (call: string, kind: Kind, invoke: (handle: OutPointer, record: OutPointer) => number): HcnHandle => {
    const handle = out();
    const record = out();
    const hr = invoke(handle, record);
    return finishHandle(call, kind, hr, handle, record);
  };

  return {
    network: {
      ...familyCalls('network', { plural: 'Networks', singular: 'Network' }),
      create(id, settings) {
        const call = 'HcnCreateNetwork';
        const g = guid(call, id);
        const s = wstr(call, settings);
        return create(call, 'network', (h, r) => library(call).network.create(g, s, h, r));
      },
    },
    endpoint: {
      ...familyCalls('endpoint', { plural: 'Endpoints', singular: 'Endpoint' }),
      create(network, id, settings) {
        const call = 'HcnCreateEndpoint';
        const net = pointerOf(call, network, 'network');
        const g = guid(call, id);
        const s = wstr(call, settings);
        return create(call, 'endpoint', (h, r) => library(call).endpoint.create(net, g, s, h, r));
      },
    },
    namespace: {
      ...familyCalls('namespace', { plural: 'Namespaces', singular: 'Namespace' }),
      create(id, settings) {
        const call = 'HcnCreateNamespace';
        const g = guid(call, id);
        const s = wstr(call, settings);
        return create(call, 'namespace', (h, r) => library(call).namespace.create(g, s, h, r));
      },
    },
    hnsCall(method, path, request) {
      const call = 'HNSCall';
      const response = out();
      const hr = library(call).hnsCall(wstr(call, method), wstr(call, path), wstr(call, request), response);
      // HNSCall has no ErrorRecord; on failure whatever response came back is the best detail there is.
      const text = library(call).take(response[0]);
      if (hr < 0) throw new HnsError(call, hr >>> 0, text ?? undefined);
      return requireText(call, text);
    },
    dispose() {
      const l = lib;
      lib = undefined;
      handles.clear();
      l?.unload();
    },
  };
}
