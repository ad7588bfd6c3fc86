/**
 * HCN policy pass-through: the Go plugin's `AdditionalArgs` (`[{Name, Value}]`), and win-bridge's
 * `policies` key in the same form. `Name: "EndpointPolicy"` entries go on the endpoint,
 * `Name: "NetworkPolicy"` entries on the network the plugin creates. Values are HCN v2 policies
 * (`{Type, Settings}`); the HNS v1 flat forms used by win-bridge/flannel configs
 * (`{Type: "OutBoundNAT", ExceptionList: [...]}`) are translated to v2.
 *
 * Differences from the Go plugin: a malformed entry is a code-7 error naming the entry (Go panics), a
 * v1 flat value is translated (Go sends it with empty Settings), `endpointPolicy` in any case is
 * honoured (Go drops it), and dropped `*Policy` names are reported as warnings.
 */
import * as z from '../spec/zod';
import { getKey } from '../spec/keys';
import { ENDPOINT_POLICY_TYPES, NETWORK_POLICY_TYPES } from '../hns/schema';
import { formatPath, invalidConfig, type FieldPath } from './configerror';
import { protocolNumber } from './portmappings';
import { parseIpOrCidr } from './subnet';

export const hcnPolicySchema = z.object({
  Type: z.string(),
  Settings: z.record(z.string(), z.unknown()),
});
export type HcnPolicy = z.infer<typeof hcnPolicySchema>;

export interface PolicyArgs {
  endpoint: HcnPolicy[];
  network: HcnPolicy[];
  warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const canonicalType = (type: string, known: readonly string[]): string | undefined =>
  known.find((k) => k.toLowerCase() === type.toLowerCase());

/** Copy the keys of a v1 flat value into v2 Settings, renaming some and dropping v1-only ones. */
function pick(
  value: Record<string, unknown>,
  renames: Readonly<Record<string, string>>,
  drop: readonly string[] = [],
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const dropped = new Set(['type', ...drop.map((d) => d.toLowerCase())]);
  const byFolded = new Map(Object.entries(renames).map(([from, to]) => [from.toLowerCase(), to]));
  for (const [k, v] of Object.entries(value)) {
    if (dropped.has(k.toLowerCase())) continue;
    settings[byFolded.get(k.toLowerCase()) ?? k] = v;
  }
  return settings;
}

/**
 * HNS v1 policy types and how each becomes an HCN v2 endpoint policy (field names from hcsshim's v1
 * `hnspolicy.go` and v2 `hcnpolicy.go`).
 */
const V1_TRANSLATIONS: Readonly<Record<string, (v: Record<string, unknown>, path: FieldPath) => HcnPolicy>> = {
  outboundnat: (v) => ({
    Type: 'OutBoundNAT',
    Settings: pick(v, { ExceptionList: 'Exceptions', VIP: 'VirtualIP', Destinations: 'Destinations' }),
  }),
  route: (v) => ({
    Type: 'SDNRoute',
    Settings: pick(v, { DestinationPrefix: 'DestinationPrefix', NextHop: 'NextHop', NeedEncap: 'NeedEncap' }),
  }),
  pa: (v) => ({ Type: 'ProviderAddress', Settings: pick(v, { PA: 'ProviderAddress' }) }),
  qos: (v) => ({ Type: 'QOS', Settings: pick(v, {}) }),
  nat: (v, path) => {
    const protocol = protocolNumber(getKey(v, 'Protocol'));
    if (!protocol.ok) throw invalidConfig([...path, 'Protocol'], protocol.reason);
    return {
      Type: 'PortMapping',
      Settings: { ...pick(v, {}, ['Protocol', 'ExternalPortReserved']), Protocol: protocol.value },
    };
  },
  acl: (v) => {
    const settings = pick(v, {}, ['Id', 'InternalPort', 'ServiceName', 'Protocol']);
    const protocol = getKey(v, 'Protocol');
    if (getKey(v, 'Protocols') === undefined && protocol !== undefined)
      settings.Protocols = typeof protocol === 'string' ? protocol : JSON.stringify(protocol);
    return { Type: 'ACL', Settings: settings };
  },
};

/** Check what HNS would otherwise reject with a bare INVALID_POLICY: OutBoundNAT addresses. */
function validateSettings(policy: HcnPolicy, path: FieldPath): void {
  if (policy.Type !== 'OutBoundNAT') return;
  for (const key of ['Exceptions', 'Destinations'] as const) {
    const list = getKey(policy.Settings, key);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw invalidConfig([...path, key], 'expected a list of addresses');
    list.forEach((entry, i) => {
      const parsed = typeof entry === 'string' ? parseIpOrCidr(entry) : undefined;
      if (!parsed?.ok) {
        throw invalidConfig([...path, key, i], `${JSON.stringify(entry)} is not an IP address or CIDR`);
      }
    });
  }
}

function readPolicyValue(value: unknown, known: readonly string[], path: FieldPath, warnings: string[]): HcnPolicy {
  if (!isObject(value))
    throw invalidConfig(
      path,
      `expected an object {"Type": ..., "Settings": {...}}, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  const type = getKey(value, 'Type');
  if (typeof type !== 'string' || type === '')
    throw invalidConfig([...path, 'Type'], 'a policy type (string) is required');
  const settings = getKey(value, 'Settings');
  const flatKeys = Object.keys(value).filter((k) => !['type', 'settings'].includes(k.toLowerCase()));
  let policy: HcnPolicy;
  if (settings !== undefined || flatKeys.length === 0) {
    if (settings !== undefined && settings !== null && !isObject(settings)) {
      throw invalidConfig([...path, 'Settings'], `expected an object, got ${JSON.stringify(settings)}`);
    }
    const canonical = canonicalType(type, known);
    if (canonical === undefined)
      warnings.push(`${formatPath(path)}: policy type "${type}" is not one hcsshim knows; passed to HNS as written`);
    policy = { Type: canonical ?? type, Settings: isObject(settings) ? settings : {} };
  } else {
    const translate = V1_TRANSLATIONS[type.toLowerCase()];
    if (translate === undefined) {
      throw invalidConfig(
        [...path, 'Type'],
        `"${type}" is an HNS v1 flat policy that cannot be translated; write it as {"Type": ..., "Settings": {...}}` +
          ` (v1 types translated: OutBoundNAT, ROUTE, PA, QOS, NAT, ACL)`,
      );
    }
    policy = translate(value, path);
  }
  validateSettings(policy, [...path, 'Settings']);
  return policy;
}

/** Read one `[{Name, Value}]` list (AdditionalArgs or policies). Throws CniError code 7. */
export function readPolicyArgs(list: unknown, key: string): PolicyArgs {
  const out: PolicyArgs = { endpoint: [], network: [], warnings: [] };
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list))
    throw invalidConfig([key], `expected a list of {"Name": ..., "Value": ...}, got ${typeof list}`);
  list.forEach((entry, i) => {
    const path = [key, i];
    if (!isObject(entry))
      throw invalidConfig(path, `expected {"Name": ..., "Value": ...}, got ${JSON.stringify(entry)}`);
    const name = getKey(entry, 'Name');
    if (typeof name !== 'string' || name === '') throw invalidConfig([...path, 'Name'], 'a name (string) is required');
    const kind = name.toLowerCase();
    if (kind !== 'endpointpolicy' && kind !== 'networkpolicy') {
      // The Go plugin keeps only names containing "Policy" and then drops every one it does not know.
      if (kind.includes('policy'))
        out.warnings.push(`${key}[${i}]: "${name}" is not EndpointPolicy or NetworkPolicy; ignored`);
      return;
    }
    const value = getKey(entry, 'Value');
    if (value === undefined) throw invalidConfig([...path, 'Value'], 'a policy value is required');
    const known = kind === 'endpointpolicy' ? ENDPOINT_POLICY_TYPES : NETWORK_POLICY_TYPES;
    const policy = readPolicyValue(value, known, [...path, 'Value'], out.warnings);
    (kind === 'endpointpolicy' ? out.endpoint : out.network).push(policy);
  });
  return out;
}

/** Every OutBoundNAT exception of the endpoint policies, in order (what NAT will not be applied to). */
export function outboundNatExceptions(policies: readonly HcnPolicy[]): string[] {
  return policies
    .filter((p) => p.Type === 'OutBoundNAT')
    .flatMap((p) => {
      const list = getKey(p.Settings, 'Exceptions');
      return Array.isArray(list) ? (list as string[]) : [];
    });
}
