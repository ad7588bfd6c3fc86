/**
 * The call dispatcher shared by the in-process simulator and the loopback server: one entry,
 * `invoke(export name, IN arguments)`, answering the HRESULT and the OUT parameters exactly as the
 * sim wire protocol carries them. Each call opens the state under the folder lock, counts itself,
 * applies injected faults, runs the model, and commits: the counters always, the objects only when
 * the call changed them (see state.ts for why); handles live in memory.
 */
import { HR, errorRecordJson, toUnsigned } from '../errors';
import { parseGuid } from '../guid';
import { Fault, firingFaults } from './faults';
import { LockTimeoutError, withLock } from '../lockfile';
import { createEndpoint, deleteEndpoint, findEndpoint, modifyEndpoint } from './model/endpoint';
import { enumerateEndpoints, enumerateNamespaces, enumerateNetworks, parseQuery } from './model/enumerate';
import { SimFailure, fail } from './model/failure';
import {
  createNamespace,
  deleteNamespace,
  ensureDefaultNamespace,
  findNamespace,
  modifyNamespace,
} from './model/namespace';
import { createNetwork, deleteNetwork, findNetwork, modifyNetwork } from './model/network';
import { endpointIdText, renderEndpoint, renderNamespace, renderNetwork } from './model/render';
import { hnsCall } from './model/v1';
import { appendRequestLog, requestLogLine } from './request-log';
import { type SimSettings, hasFeature } from './settings';
import { sleepSync } from './sleep';
import { type SimState, commitState, forgetObjects, loadSettings, openState } from './state';

export type ObjectKind = 'network' | 'endpoint' | 'namespace';

/** The OUT parameters after the HRESULT, by shape (the wire protocol's list). */
type OutShape = 'handle' | 'result' | 'record' | 'none' | 'response';
type Arg = 'guid' | 'string' | `handle:${ObjectKind}`;

type Ctx = { state: SimState; args: string[]; handles: HandleTable };
type Spec = { args: readonly Arg[]; out: OutShape; run: (c: Ctx) => string | number | void };

export type CallResult = { hresult: number; outs: (string | null)[]; hang?: boolean };

export class HandleTable {
  private readonly table = new Map<number, { kind: ObjectKind; id: string }>();
  private next = 1;

  open(kind: ObjectKind, id: string): number {
    const h = this.next++;
    this.table.set(h, { kind, id });
    return h;
  }

  get(text: string, kind: ObjectKind): string {
    const h = Number(text);
    const entry = Number.isSafeInteger(h) ? this.table.get(h) : undefined;
    if (!entry || entry.kind !== kind) fail('E_HANDLE', `${kind} handle ${text}`);
    return entry.id;
  }

  close(text: string, kind: ObjectKind): void {
    this.get(text, kind);
    this.table.delete(Number(text));
  }

  get size(): number {
    return this.table.size;
  }
}

/** The exports that change objects; every other one only reads them (render and enumerate are pure). */
const WRITES = /^Hcn(Create|Modify|Delete)/;

/** Apply the `defaultNamespace` setting; true when that changed the namespaces. */
export function ensureDefault(state: SimState): boolean {
  const before = state.namespaces;
  const count = before.length;
  ensureDefaultNamespace(state);
  return state.namespaces !== before || state.namespaces.length !== count;
}

/** Look the object behind a handle up; a handle to a deleted object answers that object's not-found [I]. */
const net = (c: Ctx, i: number) => findNetwork(c.state, c.handles.get(c.args[i] ?? '', 'network'));
const ep = (c: Ctx, i: number) => findEndpoint(c.state, c.handles.get(c.args[i] ?? '', 'endpoint'));
const ns = (c: Ctx, i: number) => findNamespace(c.state, c.handles.get(c.args[i] ?? '', 'namespace'));
const a = (c: Ctx, i: number) => c.args[i] ?? '';

/** Query*Properties ignores Filter but still parses the query [S hcsshim hcn/hcn.go, the query passed to both]. */
const query = (c: Ctx, i: number, render: () => object): string => {
  parseQuery(a(c, i));
  return JSON.stringify(render());
};

const SPECS: Record<string, Spec> = {
  HcnEnumerateNetworks: { args: ['string'], out: 'result', run: (c) => enumerateNetworks(c.state, a(c, 0)) },
  HcnCreateNetwork: {
    args: ['guid', 'string'],
    out: 'handle',
    run: (c) => c.handles.open('network', createNetwork(c.state, a(c, 0), a(c, 1))),
  },
  HcnOpenNetwork: {
    args: ['guid'],
    out: 'handle',
    run: (c) => c.handles.open('network', findNetwork(c.state, a(c, 0)).id),
  },
  HcnModifyNetwork: {
    args: ['handle:network', 'string'],
    out: 'record',
    run: (c) => modifyNetwork(c.state, net(c, 0).id, a(c, 1)),
  },
  HcnQueryNetworkProperties: {
    args: ['handle:network', 'string'],
    out: 'result',
    run: (c) => query(c, 1, () => renderNetwork(c.state, net(c, 0))),
  },
  HcnDeleteNetwork: { args: ['guid'], out: 'record', run: (c) => deleteNetwork(c.state, a(c, 0)) },
  HcnCloseNetwork: { args: ['handle:network'], out: 'none', run: (c) => c.handles.close(a(c, 0), 'network') },

  HcnEnumerateEndpoints: { args: ['string'], out: 'result', run: (c) => enumerateEndpoints(c.state, a(c, 0)) },
  HcnCreateEndpoint: {
    args: ['handle:network', 'guid', 'string'],
    out: 'handle',
    run: (c) => c.handles.open('endpoint', createEndpoint(c.state, net(c, 0).id, a(c, 1), a(c, 2))),
  },
  HcnOpenEndpoint: {
    args: ['guid'],
    out: 'handle',
    run: (c) => c.handles.open('endpoint', findEndpoint(c.state, a(c, 0)).id),
  },
  HcnModifyEndpoint: {
    args: ['handle:endpoint', 'string'],
    out: 'record',
    run: (c) => modifyEndpoint(c.state, ep(c, 0).id, a(c, 1)),
  },
  HcnQueryEndpointProperties: {
    args: ['handle:endpoint', 'string'],
    out: 'result',
    run: (c) => query(c, 1, () => renderEndpoint(c.state, ep(c, 0))),
  },
  HcnDeleteEndpoint: { args: ['guid'], out: 'record', run: (c) => deleteEndpoint(c.state, a(c, 0)) },
  HcnCloseEndpoint: { args: ['handle:endpoint'], out: 'none', run: (c) => c.handles.close(a(c, 0), 'endpoint') },
  /** Counters stay zero: no packets flow in a simulator. The stats keys are v1's [S hnsendpoint.go]. */
  HcnQueryEndpointStats: {
    args: ['handle:endpoint', 'string'],
    out: 'result',
    run: (c) =>
      query(c, 1, () => {
        const id = endpointIdText(c.state, ep(c, 0).id);
        return {
          BytesReceived: 0,
          BytesSent: 0,
          DroppedPacketsIncoming: 0,
          DroppedPacketsOutgoing: 0,
          EndpointId: id,
          InstanceId: id,
          PacketsReceived: 0,
          PacketsSent: 0,
        };
      }),
  },
  /** The output shape is undocumented; the endpoint's IpConfigurations are the likely content [I]. */
  HcnQueryEndpointAddresses: {
    args: ['handle:endpoint', 'string'],
    out: 'result',
    run: (c) => query(c, 1, () => renderEndpoint(c.state, ep(c, 0)).IpConfigurations as object),
  },

  HcnEnumerateNamespaces: { args: ['string'], out: 'result', run: (c) => enumerateNamespaces(c.state, a(c, 0)) },
  HcnCreateNamespace: {
    args: ['guid', 'string'],
    out: 'handle',
    run: (c) => c.handles.open('namespace', createNamespace(c.state, a(c, 0), a(c, 1))),
  },
  HcnOpenNamespace: {
    args: ['guid'],
    out: 'handle',
    run: (c) => c.handles.open('namespace', findNamespace(c.state, a(c, 0)).id),
  },
  HcnModifyNamespace: {
    args: ['handle:namespace', 'string'],
    out: 'record',
    run: (c) => modifyNamespace(c.state, ns(c, 0).id, a(c, 1)),
  },
  HcnQueryNamespaceProperties: {
    args: ['handle:namespace', 'string'],
    out: 'result',
    run: (c) => query(c, 1, () => renderNamespace(c.state, ns(c, 0))),
  },
  HcnDeleteNamespace: { args: ['guid'], out: 'record', run: (c) => deleteNamespace(c.state, a(c, 0)) },
  HcnCloseNamespace: { args: ['handle:namespace'], out: 'none', run: (c) => c.handles.close(a(c, 0), 'namespace') },

  HNSCall: { args: ['string', 'string', 'string'], out: 'response', run: (c) => hnsCall(c.state, a(c, 0), a(c, 1)) },
};

/** Exports the simulator does not model: they answer E_NOTIMPL with the OUT shape of their signature. */
const NOT_MODELLED: Record<string, OutShape> = {};
for (const family of ['LoadBalancer', 'SdnRoute']) {
  Object.assign(NOT_MODELLED, {
    [`HcnEnumerate${family}s`]: 'result',
    [`HcnCreate${family}`]: 'handle',
    [`HcnOpen${family}`]: 'handle',
    [`HcnModify${family}`]: 'record',
    [`HcnQuery${family}Properties`]: 'result',
    [`HcnDelete${family}`]: 'record',
    [`HcnClose${family}`]: 'none',
  });
}
Object.assign(NOT_MODELLED, {
  HcnCreateGuestNetworkService: 'handle',
  HcnCloseGuestNetworkService: 'none',
  HcnModifyGuestNetworkService: 'record',
  HcnDeleteGuestNetworkService: 'record',
  HcnReserveGuestNetworkServicePort: 'none',
  HcnReserveGuestNetworkServicePortRange: 'none',
  HcnReleaseGuestNetworkServicePortReservationHandle: 'none',
  HcnEnumerateGuestNetworkPortReservations: 'none',
  HcnFreeGuestNetworkPortReservations: 'none',
  HcnRegisterServiceCallback: 'none',
  HcnUnregisterServiceCallback: 'none',
  HcnRegisterGuestNetworkServiceCallback: 'none',
  HcnUnregisterGuestNetworkServiceCallback: 'none',
} satisfies Record<string, OutShape>);

export const SIMULATED_EXPORTS = Object.keys(SPECS);
export const NOT_MODELLED_EXPORTS = Object.keys(NOT_MODELLED);

function outs(shape: OutShape, ok: boolean, value: string | number | void, record: string | null): (string | null)[] {
  const v = value === undefined ? null : String(value);
  switch (shape) {
    case 'handle':
    case 'result':
      return [ok ? v : null, record];
    case 'record':
      return [record];
    case 'response':
      return [ok ? v : null];
    case 'none':
      return [];
  }
}

function checkArgs(spec: Spec, args: readonly (string | null)[]): string[] {
  if (args.length !== spec.args.length)
    fail('E_INVALIDARG', `expected ${spec.args.length} arguments, got ${args.length}`);
  return spec.args.map((kind, i) => {
    const v = args[i];
    if (v === null || v === undefined) return fail('E_POINTER', `argument ${i + 1} is NULL`);
    if (kind !== 'guid') return v;
    // The real API takes a GUID struct; text that is no GUID cannot even be passed [I].
    return parseGuid(v) ?? fail('E_INVALIDARG', `argument ${i + 1} is not a GUID: ${JSON.stringify(v)}`);
  });
}

export type SimCoreOptions = {
  /** Called after every call with its export name and unsigned HRESULT (for in-process call counting). */
  onCall?: (fn: string, hresult: number) => void;
  /** The request log file (`serve --log`); without it, the `requestLog` setting names one (or none). */
  logFile?: string;
};

export type SimCore = {
  invoke(fn: string, args: readonly (string | null)[]): CallResult;
  readonly handles: HandleTable;
  readonly stateDir: string;
};

export function createSimCore(stateDir: string, options: SimCoreOptions = {}): SimCore {
  const handles = new HandleTable();

  let settings: SimSettings | undefined;

  function call(fn: string, args: readonly (string | null)[]): CallResult {
    try {
      settings = loadSettings(stateDir);
    } catch {
      settings = undefined;
    }
    const timeoutMs = settings?.lockTimeoutMs ?? 30_000;

    return withLock(stateDir, timeoutMs, () => {
      const state = openState(stateDir);
      try {
        return callLocked(state, fn, args);
      } catch (e) {
        // The cached objects may be half changed; nothing is saved, as before.
        forgetObjects(stateDir);
        throw e;
      }
    });
  }

  function callLocked(state: SimState, fn: string, args: readonly (string | null)[]): CallResult {
    const spec = SPECS[fn];
    const shape = spec?.out ?? NOT_MODELLED[fn] ?? 'none';
    const failure = (e: SimFailure): CallResult => ({
      hresult: e.hresult,
      outs: outs(shape, false, undefined, errorRecordJson(e.hresult, e.detail)),
    });
    const defaultChanged = ensureDefault(state);
    let objectsChanged = defaultChanged;
    state.calls[fn] = (state.calls[fn] ?? 0) + 1;
    const total = Object.values(state.calls).reduce((x, y) => x + y, 0);
    const firing = state.faults.length === 0 ? [] : firingFaults(state.faults, fn, state.calls[fn], total);
    for (const f of firing) f.fired += 1;
    sleepSync(firing.reduce((ms, f) => ms + (f.latencyMs ?? 0), 0));
    const failFault = firing.find((f) => f.hresult !== undefined || f.errorRecord !== undefined);
    const hangFault = firing.find((f) => f.hang);

    let result: CallResult;
    if (hangFault && !hangFault.after) {
      result = { hresult: 0, outs: [], hang: true };
    } else if (failFault && !failFault.after) {
      result = faultResult(failFault, shape, undefined);
    } else {
      const writes = WRITES.test(fn);
      // The model changes objects in place (a copy per call cost as much as the rest of the call with a
      // large state); a change that fails is undone from the saved objects, plus this call's default namespace.
      const namespacesBefore = writes && defaultChanged ? structuredClone(state.namespaces) : undefined;
      let ran = false;
      let value: string | number | void = undefined;
      try {
        if (!spec) fail('E_NOTIMPL', NOT_MODELLED[fn] ? `${fn} is not simulated` : `unknown function ${fn}`);
        if (fn !== 'HNSCall' && !hasFeature(state.settings, 'ApiV2'))
          fail('E_NOTIMPL', `the HCN v2 API needs HNS 9.2 (this is ${state.settings.hnsVersion})`);
        const checked = checkArgs(spec, args);
        ran = true;
        value = spec.run({ state, args: checked, handles });
        result = { hresult: 0, outs: outs(shape, true, value, null) };
        objectsChanged ||= writes;
      } catch (e) {
        if (!(e instanceof SimFailure)) throw e;
        if (ran && writes) undoObjects(state, namespacesBefore);
        result = failure(e);
      }
      if (failFault) result = faultResult(failFault, shape, result.hresult === 0 ? value : undefined);
      if (hangFault) result = { ...result, hang: true };
    }
    if (state.settings.recordCalls) state.callLog.push({ fn, hresult: result.hresult });
    commitState(stateDir, state, objectsChanged);
    return result;
  }

  /** Back to the saved objects; `namespaces` (when given) as they were after this call's default-namespace step. */
  function undoObjects(state: SimState, namespaces: SimState['namespaces'] | undefined): void {
    forgetObjects(stateDir);
    const saved = openState(stateDir);
    state.networks = saved.networks;
    state.endpoints = saved.endpoints;
    state.namespaces = namespaces ?? saved.namespaces;
  }

  return {
    stateDir,
    handles,
    invoke(fn, args) {
      const started = performance.now();
      let result: CallResult;
      try {
        result = call(fn, args);
      } catch (e) {
        const hr = e instanceof LockTimeoutError ? HR.ERROR_TIMEOUT : HR.E_UNEXPECTED;
        const shape = SPECS[fn]?.out ?? NOT_MODELLED[fn] ?? 'none';
        result = { hresult: hr, outs: outs(shape, false, undefined, errorRecordJson(hr, (e as Error).message)) };
      }
      const log = options.logFile ?? settings?.requestLog ?? undefined;
      if (log) {
        const shape = SPECS[fn]?.out ?? NOT_MODELLED[fn] ?? 'none';
        appendRequestLog(
          log,
          requestLogLine(
            fn,
            SPECS[fn]?.args,
            args,
            shape,
            result.hresult,
            result.hang ? [] : result.outs,
            performance.now() - started,
          ),
        );
      }
      options.onCall?.(fn, result.hresult);
      return result;
    },
  };
}

/** A fault's answer; with HRESULT 0 and a record, the call "succeeds" with a non-empty ErrorRecord. */
function faultResult(f: Fault, shape: OutShape, value: string | number | void): CallResult {
  const hr = toUnsigned(f.hresult ?? HR.E_FAIL);
  const record = f.errorRecord ?? errorRecordJson(hr, 'injected fault');
  return { hresult: hr, outs: outs(shape, hr === 0, hr === 0 ? value : undefined, record) };
}
