/**
 * Enumerate* with a HostComputeQuery Filter (hcsshim hcn/hcn.go HostComputeQuery; hcnendpoint.go ListEndpointsOfNetwork). The filter is matched against
 * HNS's internal (v1-style) property names, which is why hcsshim filters endpoints of a network on
 * `VirtualNetwork`; nothing matched is `[]`, never an error.
 */
import { HostComputeQuery, QueryFilter } from '../../schema';
import type { SimState } from '../state';
import { fail, parseDocument, parseWith } from './failure';
import { endpointIdText, namespaceIdText, networkIdText } from './render';
import { formatIp, parseIp } from '../ip';

type Prop = { value: unknown; folded?: boolean };
type Props = Record<string, Prop>;

export function parseQuery(text: string): Record<string, unknown> | undefined {
  // An empty query is the "standard properties" query [I].
  if (text.trim() === '') return undefined;
  const q = parseWith(HostComputeQuery, parseDocument(text), 'HCN_E_INVALID_JSON', 'query');
  if (q.Filter === undefined || q.Filter === '') return undefined;
  let filter: unknown;
  try {
    filter = JSON.parse(q.Filter);
  } catch (e) {
    return fail('HCN_E_INVALID_JSON', `Filter: ${(e as Error).message}`);
  }
  return parseWith(QueryFilter, filter, 'HCN_E_INVALID_JSON', 'Filter');
}

function matches(s: SimState, props: Props, filter: Record<string, unknown>): boolean {
  const byFolded = new Map(Object.entries(props).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [key, want] of Object.entries(filter)) {
    const prop = byFolded.get(key.toLowerCase());
    if (!prop) {
      if (s.settings.unknownFilterKey === 'matchNone') return false;
      continue;
    }
    const have = prop.value;
    if (prop.folded && typeof want === 'string' && typeof have === 'string') {
      if (want.toLowerCase() !== have.toLowerCase()) return false;
    } else if (have !== want) {
      return false;
    }
  }
  return true;
}

const ipText = (s: string) => {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : s;
};

export function enumerateNetworks(s: SimState, query: string): string {
  const filter = parseQuery(query) ?? {};
  const ids = s.networks
    .filter((n) =>
      matches(s, { ID: { value: n.id, folded: true }, Name: { value: n.name }, Type: { value: n.type } }, filter),
    )
    .map((n) => networkIdText(s, n.id));
  return JSON.stringify(ids);
}

export function enumerateEndpoints(s: SimState, query: string): string {
  const filter = parseQuery(query) ?? {};
  const ids = s.endpoints
    .filter((e) => {
      const net = s.networks.find((n) => n.id === e.networkId);
      const first = e.ipConfigurations[0]?.IpAddress;
      const props: Props = {
        ID: { value: e.id, folded: true },
        Name: { value: e.name },
        VirtualNetwork: { value: e.networkId, folded: true },
        VirtualNetworkName: { value: net?.name },
        MacAddress: { value: e.macAddress, folded: true },
        Namespace: { value: e.namespaceId, folded: true },
      };
      if (first !== undefined) props.IPAddress = { value: ipText(first) };
      return matches(s, props, filter);
    })
    .map((e) => endpointIdText(s, e.id));
  return JSON.stringify(ids);
}

export function enumerateNamespaces(s: SimState, query: string): string {
  const filter = parseQuery(query) ?? {};
  const ids = s.namespaces
    .filter((n) =>
      matches(
        s,
        {
          ID: { value: n.id, folded: true },
          IsDefault: { value: n.isDefault },
          CompartmentId: { value: n.namespaceId },
        },
        filter,
      ),
    )
    .map((n) => namespaceIdText(s, n.id));
  return JSON.stringify(ids);
}
