/**
 * The typed client under single faults of the HCN calls it makes (the simulator's fault injection):
 * a failed close never costs the clean-up of a create nor the result of work that succeeded, a lost
 * create answer leaves nothing behind, and one not-found answer never makes an existing object
 * invisible or a delete look done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HcnApi, HcnHandle } from '../../../hns/api';
import { HR, HnsError } from '../../../hns/errors';
import {
  attachEndpoint,
  createAndRead,
  createEndpoint,
  createNamespace,
  createNetwork,
  deleteEndpoint,
  endpointIdsByName,
  findEndpointByName,
  findNetworkByName,
  getEndpointById,
  getNamespace,
  listEndpoints,
  withHandle,
  withHnsWarnings,
  type HnsWarning,
} from '../../../hns/client';
import type { NetworkRequest } from '../../../hns/schema';
import { addFault, readState } from '../../../hns/sim/admin';
import type { FaultSpec } from '../../../hns/sim/faults';
import { createSimApi } from '../../../hns/sim/api';

const NETWORK: NetworkRequest = {
  Name: 'nat',
  Type: 'NAT',
  Ipams: [
    {
      Type: 'Static',
      Subnets: [
        {
          IpAddressPrefix: '10.60.0.0/24',
          Routes: [{ NextHop: '10.60.0.1', DestinationPrefix: '0.0.0.0/0' }],
          Flags: 0,
        },
      ],
    },
  ],
};
const MAPPING = { Type: 'PortMapping', Settings: { Protocol: 6, InternalPort: 80, ExternalPort: 8080 } };

let dir: string;
let api: HcnApi;
let warnings: HnsWarning[];
let networkId: string;

const fault = (spec: FaultSpec) => addFault(dir, spec);
const run = <T>(fn: () => T): T => withHnsWarnings((w) => warnings.push(w), fn);
const endpointNames = () => readState(dir).endpoints.map((e) => e.name);

function hresultOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HnsError);
    return (e as HnsError).hresult;
  }
  throw new Error('expected an HnsError, the call succeeded');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-client-faults-'));
  api = createSimApi(dir);
  warnings = [];
  networkId = createNetwork(api, NETWORK).ID as string;
});

afterEach(() => {
  api.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('withHandle and createAndRead', () => {
  const fakeHandle = {} as HcnHandle;
  const failing = (what: string) => () => {
    throw new Error(what);
  };

  it('returns the work of a handle whose close fails, and reports the close as a warning', () => {
    expect(
      run(() =>
        withHandle(
          () => fakeHandle,
          failing('close'),
          () => 42,
        ),
      ),
    ).toBe(42);
    expect(warnings.map((w) => w.message)).toEqual(['a handle could not be closed: close']);
  });

  it('throws the work error, not the close error, when both fail', () => {
    expect(() => run(() => withHandle(() => fakeHandle, failing('close'), failing('work')))).toThrow('work');
  });

  it('removes the object when the read fails, even when the close fails too', () => {
    const removed: string[] = [];
    expect(() =>
      run(() =>
        createAndRead(
          () => fakeHandle,
          failing('close'),
          failing('read'),
          (id) => removed.push(id),
        ),
      ),
    ).toThrow('read');
    expect(removed).toHaveLength(1);
  });

  it('removes the object under the chosen ID when the create fails', () => {
    const removed: string[] = [];
    let chosen = '';
    const create = (id: string): HcnHandle => {
      chosen = id;
      throw new Error('lost answer');
    };
    expect(() =>
      createAndRead(
        create,
        () => undefined,
        () => 1,
        (id) => removed.push(id),
      ),
    ).toThrow('lost answer');
    expect(removed).toEqual([chosen]);
  });

  it('drops warnings raised outside a listener', () => {
    expect(
      withHandle(
        () => fakeHandle,
        failing('close'),
        () => 'ok',
      ),
    ).toBe('ok');
    expect(warnings).toEqual([]);
  });
});

describe('a failed close after a successful create', () => {
  it.each(['HcnCloseEndpoint', 'HcnCloseNetwork'])(
    '%s: the endpoint is created and returned, the close is a warning',
    (fn) => {
      fault({ fn, nth: 1, hresult: HR.E_FAIL });
      const ep = run(() => createEndpoint(api, networkId, { Name: 'c1_nat', Policies: [MAPPING] }));
      expect(getEndpointById(api, ep.ID as string)?.Name).toBe('c1_nat');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toContain(`${fn} failed`);
    },
  );

  it('a close that fails after a failed read does not keep the object', () => {
    fault({ fn: 'HcnQueryEndpointProperties', nth: 1, hresult: HR.E_FAIL });
    fault({ fn: 'HcnCloseEndpoint', nth: 1, hresult: HR.E_FAIL });
    expect(hresultOf(() => createEndpoint(api, networkId, { Name: 'c1_nat', Policies: [MAPPING] }))).toBe(HR.E_FAIL);
    expect(endpointNames()).toEqual([]);
    // Host port 8080 is free again.
    expect(createEndpoint(api, networkId, { Name: 'c2_nat', Policies: [MAPPING] }).Name).toBe('c2_nat');
  });
});

describe('a lost create answer', () => {
  it('HcnCreateEndpoint: the endpoint HNS created under our ID is deleted', () => {
    fault({ fn: 'HcnCreateEndpoint', nth: 1, hresult: HR.E_FAIL, after: true });
    expect(hresultOf(() => createEndpoint(api, networkId, { Name: 'c1_nat', Policies: [MAPPING] }))).toBe(HR.E_FAIL);
    expect(endpointNames()).toEqual([]);
  });

  it('HcnCreateNetwork: the network HNS created under our ID is deleted', () => {
    fault({ fn: 'HcnCreateNetwork', nth: 1, hresult: HR.RPC_S_CALL_FAILED, after: true });
    expect(hresultOf(() => createNetwork(api, { ...NETWORK, Name: 'other', Ipams: [] }))).toBe(HR.RPC_S_CALL_FAILED);
    expect(findNetworkByName(api, 'other')).toBeUndefined();
  });

  it('a create that HNS refused costs one extra delete that finds nothing', () => {
    createEndpoint(api, networkId, { Name: 'web1', Policies: [MAPPING] });
    expect(hresultOf(() => createEndpoint(api, networkId, { Name: 'web2', Policies: [MAPPING] }))).toBe(
      HR.HCN_E_PORT_ALREADY_EXISTS,
    );
    expect(endpointNames()).toEqual(['web1']);
  });
});

describe('one not-found answer is not the truth about an object', () => {
  let nsId: string;
  let epId: string;
  beforeEach(() => {
    nsId = createNamespace(api).ID as string;
    epId = createEndpoint(api, networkId, { Name: 'c1_nat' }).ID as string;
    attachEndpoint(api, nsId, epId);
  });

  it.each(['HcnOpenNamespace', 'HcnQueryNamespaceProperties', 'HcnCloseNamespace'])(
    '%s: the namespace is still found',
    (fn) => {
      fault({ fn, nth: 1, hresult: HR.ERROR_NOT_FOUND });
      expect(run(() => getNamespace(api, nsId))?.ID?.toLowerCase()).toBe(nsId.toLowerCase());
    },
  );

  it.each(['HcnOpenEndpoint', 'HcnQueryEndpointProperties', 'HcnCloseEndpoint'])(
    '%s: the endpoint is still found by name',
    (fn) => {
      fault({ fn, nth: 1, hresult: HR.HCN_E_ENDPOINT_NOT_FOUND });
      expect(run(() => findEndpointByName(api, 'c1_nat'))?.ID).toBe(epId);
    },
  );

  it('an open that keeps answering not-found for a listed object is an error, not an absence', () => {
    fault({ fn: 'HcnOpenEndpoint', hresult: HR.ERROR_NOT_FOUND });
    expect(hresultOf(() => listEndpoints(api, { Name: 'c1_nat' }))).toBe(HR.ERROR_NOT_FOUND);
  });

  it('an object that the enumeration no longer lists is skipped', () => {
    // Deleted between the enumerate and the open: another process tore it down.
    const other = createSimApi(dir);
    const enumerate = api.endpoint.enumerate.bind(api.endpoint);
    const racing: HcnApi = {
      ...api,
      endpoint: {
        ...api.endpoint,
        enumerate: (q) => {
          const ids = enumerate(q);
          if (JSON.parse(q).Filter?.includes('Name')) other.endpoint.delete(epId);
          return ids;
        },
      },
    };
    expect(findEndpointByName(racing, 'c1_nat')).toBeUndefined();
    other.dispose();
  });

  it('HcnDeleteEndpoint not-found while the endpoint is listed: deleted on the next try', () => {
    fault({ fn: 'HcnDeleteEndpoint', nth: 1, hresult: HR.ERROR_NOT_FOUND });
    expect(deleteEndpoint(api, epId)).toBe(true);
    expect(endpointIdsByName(api, 'c1_nat')).toEqual([]);
  });

  it('HcnDeleteEndpoint whose answer is lost: the endpoint is gone, so the delete did its work', () => {
    fault({ fn: 'HcnDeleteEndpoint', nth: 1, hresult: HR.RPC_S_CALL_FAILED, after: true });
    expect(deleteEndpoint(api, epId)).toBe(true);
    expect(endpointIdsByName(api, 'c1_nat')).toEqual([]);
  });

  it('HcnDeleteEndpoint that keeps failing leaves an error, never a success', () => {
    fault({ fn: 'HcnDeleteEndpoint', hresult: HR.ERROR_NOT_FOUND });
    expect(hresultOf(() => deleteEndpoint(api, epId))).toBe(HR.ERROR_NOT_FOUND);
    expect(endpointIdsByName(api, 'c1_nat')).toEqual([epId]);
  });

  it('a delete of an endpoint that is really gone answers false', () => {
    expect(deleteEndpoint(api, epId)).toBe(true);
    expect(deleteEndpoint(api, epId)).toBe(false);
  });
});
