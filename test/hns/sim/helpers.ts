/** Test helpers: a fresh state folder and the hcsshim call sequences over an HcnApi. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HcnApi } from '../../../hns/api';
import { ZERO_GUID } from '../../../hns/guid';
import {
  writeEndpointRequest,
  writeNamespaceEndpointRequest,
  writeNetworkRequest,
  writeQuery,
  type EndpointRequest,
  type NetworkRequest,
} from '../../../hns/schema';
import { updateSettings } from '../../../hns/sim/admin';
import { createSimApi } from '../../../hns/sim/api';
import type { SimSettings } from '../../../hns/sim/settings';

export function tempStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hns-sim-test-'));
}

export function freshSim(settings: Partial<SimSettings> = {}): { dir: string; api: HcnApi } {
  const dir = tempStateDir();
  if (Object.keys(settings).length > 0) updateSettings(dir, settings);
  return { dir, api: createSimApi(dir) };
}

export const NAT_NETWORK: NetworkRequest = {
  Name: 'natNetwork',
  Type: 'NAT',
  Ipams: [
    {
      Type: 'Static',
      Subnets: [
        {
          IpAddressPrefix: '192.168.100.0/24',
          Flags: 0,
          Routes: [{ NextHop: '192.168.100.1', DestinationPrefix: '0.0.0.0/0' }],
        },
      ],
    },
  ],
};

type Json = Record<string, any>;

/** HostComputeNetwork.Create(): create with the zero GUID, query, close. */
export function createNetwork(api: HcnApi, req: NetworkRequest = NAT_NETWORK, id = ZERO_GUID): Json {
  const h = api.network.create(id, writeNetworkRequest(req));
  try {
    return JSON.parse(api.network.query(h, writeQuery()));
  } finally {
    api.network.close(h);
  }
}

/** network.CreateEndpoint(): open the network, create, query, close both. */
export function createEndpoint(api: HcnApi, networkId: string, req: EndpointRequest, id = ZERO_GUID): Json {
  const n = api.network.open(networkId);
  try {
    const e = api.endpoint.create(n, id, writeEndpointRequest({ HostComputeNetwork: networkId, ...req }));
    try {
      return JSON.parse(api.endpoint.query(e, writeQuery()));
    } finally {
      api.endpoint.close(e);
    }
  } finally {
    api.network.close(n);
  }
}

export function getEndpoint(api: HcnApi, id: string): Json {
  const h = api.endpoint.open(id);
  try {
    return JSON.parse(api.endpoint.query(h, writeQuery()));
  } finally {
    api.endpoint.close(h);
  }
}

export function getNamespace(api: HcnApi, id: string): Json {
  const h = api.namespace.open(id);
  try {
    return JSON.parse(api.namespace.query(h, writeQuery()));
  } finally {
    api.namespace.close(h);
  }
}

export function createNamespace(
  api: HcnApi,
  settings = '{"SchemaVersion":{"Major":0,"Minor":0}}',
  id = ZERO_GUID,
): string {
  const h = api.namespace.create(id, settings);
  try {
    return (JSON.parse(api.namespace.query(h, writeQuery())) as { ID: string }).ID;
  } finally {
    api.namespace.close(h);
  }
}

export function modifyNamespace(api: HcnApi, nsId: string, request: 'Add' | 'Remove', endpointId: string): void {
  const h = api.namespace.open(nsId);
  try {
    api.namespace.modify(h, writeNamespaceEndpointRequest(request, endpointId));
  } finally {
    api.namespace.close(h);
  }
}

export const enumerate = (calls: { enumerate(q: string): string }, filter?: Record<string, unknown>): string[] =>
  JSON.parse(calls.enumerate(writeQuery(filter ? { filter } : {})));

export { createSimApi };
