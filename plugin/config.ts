/**
 * The nat plugin's configuration: from the decoded network config (with the runtime's `runtimeConfig`)
 * and the CNI_ARGS map to a validated, normalised NatConfig. Pure: nothing here touches HNS.
 *
 * Every field the Go plugin reads is read, keys matched case-insensitively at every depth (Go's
 * encoding/json does the same, and containerd relies on it for `HostPort`/`Servers`), unknown keys are
 * ignored, and every invalid value is a code-7 CniError whose message names the field path.
 * docs/configuration.md documents each field and each difference from the Go plugin.
 */
import * as z from '../spec/zod';
import { ciLooseObject, ciObject, getKey } from '../spec/keys';
import { parseMac, parseStaticIps, type StaticIp } from './address';
import { formatPath, fromZodError, invalidConfig, type FieldPath } from './configerror';
import { configDnsSchema, EMPTY_CONFIG_DNS, EMPTY_RUNTIME_DNS, mergeDns, runtimeDnsSchema, type Dns } from './dns';
import { outboundNatExceptions, readPolicyArgs, type HcnPolicy } from './policies';
import { applyPortMappingFlags, portMappingSchema, type PortMapping } from './portmappings';
import { readLogSettings, type LogLevel } from './log-settings';
import {
  firstHostAddress,
  gatewayProblem,
  parseCidr,
  parseIp,
  type IpAddress,
  intendedSubnet,
  type IpFamily,
  type Subnet,
} from './subnet';

/** The one CNI `type` this plugin implements. The Go binary also answers to sdnbridge/sdnoverlay. */
export const SUPPORTED_TYPE = 'nat';

const flag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);
const optionalString = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

/** A route as the Go plugin reads it (`dst`, `gw`), plus `gateway`, which nerdctl writes. */
const routeSchema = ciObject({ dst: optionalString, gw: optionalString, gateway: optionalString });

/** host-local's range form; only `subnet` and `gateway` matter to a NAT network. */
const rangeSchema = ciObject({
  subnet: z.string(),
  rangeStart: optionalString,
  rangeEnd: optionalString,
  gateway: optionalString,
});

const ipamSchema = ciLooseObject({
  type: optionalString,
  subnet: optionalString,
  routes: z.array(routeSchema).nullish(),
  ranges: z.array(z.array(rangeSchema)).nullish(),
  ipAddress: optionalString,
});

export const optionalFlagsSchema = ciObject({
  localRoutedPortMapping: flag,
  allowAclPortMapping: flag,
  forceBridgeGateway: flag,
  enableDualStack: flag,
  loopbackDSR: flag,
  gatewayFromAdditionalRoutes: flag,
  /**
   * New: when the HNS network named `name` already exists with a subnet or gateway other than the
   * config's, fail ADD (code 7) instead of logging a warning and using the network's values.
   */
  errorOnNetworkMismatch: flag,
  /**
   * New: when `master` names no adapter of this host, fail ADD (code 7) instead of logging a warning and
   * creating the network without a NetAdapterName policy, as the Go plugin does (it ignores `master`).
   */
  errorOnMissingAdapter: flag,
});
export type OptionalFlags = z.output<typeof optionalFlagsSchema>;

const runtimeConfigSchema = ciObject({
  portMappings: z.array(portMappingSchema).nullish(),
  dns: runtimeDnsSchema.nullish(),
  ips: z.array(z.unknown()).nullish(),
  mac: z.unknown().optional(),
});

export { LOG_LEVELS, type LogLevel } from './log-settings';

const natConfigSchema = ciObject({
  cniVersion: optionalString,
  master: optionalString,
  ipam: ipamSchema.nullish(),
  dns: configDnsSchema.nullish(),
  optionalFlags: optionalFlagsSchema.nullish(),
  runtimeConfig: runtimeConfigSchema.nullish(),
  additionalRoutes: z.array(routeSchema).nullish(),
  /** win-bridge's top-level spelling; OR-ed with optionalFlags.loopbackDSR. */
  loopbackDSR: flag,
  logFile: optionalString,
  logLevel: optionalString,
});

export interface NetworkSubnet extends Subnet {
  gateway: string;
  /** Where the gateway came from: a field path, or `derived` (first host address of the subnet). */
  gatewaySource: string;
}

export interface Route {
  dst: string;
  gw: string;
}

export interface NatConfig {
  cniVersion: string | undefined;
  /** HNS network name, and the suffix of endpoint names (`<containerID>_<name>`). */
  name: string;
  type: typeof SUPPORTED_TYPE;
  /** Host adapter for the network (NetAdapterName network policy); the Go plugin ignores it. */
  master: string | undefined;
  ipam: {
    /** IPAM plugin to delegate to; empty when HNS assigns addresses from the network's subnet. */
    type: string;
    /** The `ipam` object exactly as written, for delegation (the Go plugin re-serialises and loses keys). */
    raw: Record<string, unknown>;
  };
  /** At most one subnet per family, with its gateway. Empty when the config names no subnet. */
  subnets: NetworkSubnet[];
  /** The container's DNS: config, then runtimeConfig, with the Kubernetes search rewrite. */
  dns: Dns;
  /**
   * The network's DNS: the config's alone. The Go plugin gave a new network the first container's
   * runtime DNS, which then applied to every later container on it.
   */
  networkDns: Dns;
  portMappings: PortMapping[];
  flags: OptionalFlags;
  additionalRoutes: Route[];
  endpointPolicies: HcnPolicy[];
  networkPolicies: HcnPolicy[];
  outboundNatExceptions: string[];
  staticIps: StaticIp[];
  /** HNS form, `00-15-5D-52-C0-0A`. */
  mac: string | undefined;
  logFile: string | undefined;
  logLevel: LogLevel;
  /** Things the config asks for that are ignored or adjusted; for the log. */
  warnings: string[];
}

/**
 * CNI_ARGS (`K8S_POD_NAMESPACE`, `MAC`, `IP`, ...): spec/args.ts's CniArgs, a Map, or a plain record.
 * Keys are case-sensitive, as Go matches them.
 */
export type ArgsInput = { get(key: string): string | undefined } | Readonly<Record<string, string>>;

const argOf = (args: ArgsInput | undefined, key: string): string | undefined => {
  if (args === undefined) return undefined;
  if (typeof args.get === 'function') return (args as { get(key: string): string | undefined }).get(key);
  const value = (args as Readonly<Record<string, unknown>>)[key];
  return typeof value === 'string' ? value : undefined;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkType(type: unknown): void {
  if (typeof type !== 'string' || type === '')
    throw invalidConfig(['type'], `is required; this plugin implements "${SUPPORTED_TYPE}"`);
  // The Go plugin accepts exactly "nat" or "NAT"; any case is accepted here.
  if (type.toLowerCase() !== SUPPORTED_TYPE) {
    throw invalidConfig(
      ['type'],
      `"${type}" is not supported by this plugin, which implements only "${SUPPORTED_TYPE}" (HCN NAT networks); ` +
        `use the plugin for ${type} networks instead`,
    );
  }
}

function mustParseIp(text: string, at: FieldPath): IpAddress {
  const ip = parseIp(text);
  if (!ip.ok) throw invalidConfig(at, ip.reason);
  return ip.value;
}

function mustParseCidr(text: string, at: FieldPath): Subnet {
  const cidr = parseCidr(text);
  if (!cidr.ok) throw invalidConfig(at, cidr.reason);
  return cidr.value;
}

type ParsedRoute = z.output<typeof routeSchema>;

/** The gateway a route names: `gw` (Go's key) or `gateway` (nerdctl's), which the Go plugin ignores. */
function routeGateway(
  route: ParsedRoute,
  at: FieldPath,
  warnings: string[],
): { ip: IpAddress; at: FieldPath } | undefined {
  const gw = route.gw === '' ? undefined : route.gw;
  const gateway = route.gateway === '' ? undefined : route.gateway;
  if (gw !== undefined && gateway !== undefined && gw !== gateway) {
    warnings.push(`${formatPath(at)}: both gw (${gw}) and gateway (${gateway}) are set; gw is used`);
  }
  if (gw !== undefined) return { ip: mustParseIp(gw, [...at, 'gw']), at: [...at, 'gw'] };
  if (gateway !== undefined) return { ip: mustParseIp(gateway, [...at, 'gateway']), at: [...at, 'gateway'] };
  return undefined;
}

interface SubnetCandidate {
  subnet: Subnet;
  /** The address part as written, for the host-bits warning. */
  written: IpAddress;
  at: FieldPath;
  gateway?: { ip: IpAddress; at: FieldPath };
}

function collectSubnets(ipam: z.output<typeof ipamSchema> | null | undefined): SubnetCandidate[] {
  const candidates: SubnetCandidate[] = [];
  if (ipam?.subnet !== undefined && ipam.subnet !== '') {
    candidates.push({
      subnet: mustParseCidr(ipam.subnet, ['ipam', 'subnet']),
      written: writtenAddress(ipam.subnet),
      at: ['ipam', 'subnet'],
    });
  }
  // host-local's `ranges`: the Go plugin drops them (issue #64); their first range per set names a subnet.
  (ipam?.ranges ?? []).forEach((set, i) => {
    set.forEach((range, j) => {
      const at = ['ipam', 'ranges', i, j];
      const subnet = mustParseCidr(range.subnet, [...at, 'subnet']);
      if (j > 0) return;
      const gateway =
        range.gateway === undefined || range.gateway === ''
          ? undefined
          : { ip: mustParseIp(range.gateway, [...at, 'gateway']), at: [...at, 'gateway'] };
      candidates.push({
        subnet,
        written: writtenAddress(range.subnet),
        at: [...at, 'subnet'],
        ...(gateway ? { gateway } : {}),
      });
    });
  });
  const byFamily = new Map<IpFamily, SubnetCandidate>();
  for (const c of candidates) {
    const seen = byFamily.get(c.subnet.family);
    if (seen === undefined) byFamily.set(c.subnet.family, c);
    else if (seen.subnet.prefix !== c.subnet.prefix) {
      throw invalidConfig(
        c.at,
        `a second IPv${c.subnet.family} subnet (${c.subnet.prefix}, after ${seen.subnet.prefix} at ${formatPath(seen.at)}); ` +
          'a NAT network takes one subnet per family',
      );
    } else if (seen.gateway === undefined && c.gateway !== undefined) seen.gateway = c.gateway;
  }
  return [...byFamily.values()];
}

/** The address part of a CIDR that mustParseCidr accepted. */
const writtenAddress = (cidr: string): IpAddress =>
  (parseIp(cidr.slice(0, cidr.indexOf('/'))) as { ok: true; value: IpAddress }).value;

/**
 * A subnet written with host bits set: HNS refuses such a prefix (0x803B000A, microsoft/containers-toolkit#24,
 * windows-container-networking#69), so only its network form ever reaches HNS. The warning says what is
 * used, what the written address and gateway suggest was meant, and where to fix it: the runtime does not
 * tell a plugin which file its config came from, so the network name and the conf folder stand for it.
 */
function hostBitsWarning(c: SubnetCandidate, name: string, gateway: string | undefined): string {
  const gw = gateway === undefined ? undefined : parseIp(gateway);
  const meant = intendedSubnet(c.written, gw?.ok ? gw.value : undefined);
  const written = `${c.written.address}/${c.subnet.prefixLength}`;
  return (
    `${formatPath(c.at)} "${written}" has host bits set, which HNS refuses (0x803B000A); using network ${c.subnet.prefix}` +
    (meant && meant.prefix !== c.subnet.prefix
      ? `. ${gateway ? `With gateway ${gateway} i` : 'I'}t looks like ${meant.prefix} was meant`
      : '') +
    `. Fix ${formatPath(c.at)} in the CNI config file of network "${name}" (in the runtime's CNI conf folder, e.g. containerd's conf_dir). ` +
    `An HNS network "${name}" that already exists keeps its own subnet`
  );
}

function deriveSubnets(
  name: string,
  ipam: z.output<typeof ipamSchema> | null | undefined,
  additionalRoutes: Route[],
  flags: OptionalFlags,
  warnings: string[],
): NetworkSubnet[] {
  const candidates = collectSubnets(ipam);
  // Explicit gateways from ipam.routes: the first route of each family wins. The Go plugin reads only
  // routes[0].gw and ignores `gateway`.
  const routeGateways = new Map<IpFamily, { ip: IpAddress; at: FieldPath }>();
  (ipam?.routes ?? []).forEach((route, i) => {
    const at = ['ipam', 'routes', i];
    if (route.dst !== undefined && route.dst !== '') mustParseCidr(route.dst, [...at, 'dst']);
    const gw = routeGateway(route, at, warnings);
    if (gw === undefined || routeGateways.has(gw.ip.family)) return;
    if (candidates.length === 0) {
      warnings.push(`${formatPath(gw.at)}: no ipam.subnet to go with gateway ${gw.ip.address}; ignored`);
      return;
    }
    if (!candidates.some((c) => c.subnet.family === gw.ip.family)) {
      throw invalidConfig(
        gw.at,
        `${gw.ip.address} is IPv${gw.ip.family} but no IPv${gw.ip.family} subnet is configured`,
      );
    }
    routeGateways.set(gw.ip.family, gw);
  });

  return candidates.map((c) => {
    let chosen = routeGateways.get(c.subnet.family) ?? c.gateway;
    if (chosen === undefined && flags.gatewayFromAdditionalRoutes) {
      const defaultDst = c.subnet.family === 4 ? '0.0.0.0/0' : '::/0';
      const i = additionalRoutes.findIndex(
        (r) => r.dst === defaultDst && r.gw.includes(':') === (c.subnet.family === 6),
      );
      if (i >= 0)
        chosen = {
          ip: mustParseIp((additionalRoutes[i] as Route).gw, ['additionalRoutes', i, 'gw']),
          at: ['additionalRoutes', i, 'gw'],
        };
    }
    let subnet: NetworkSubnet;
    if (chosen === undefined) subnet = { ...c.subnet, gateway: firstHostAddress(c.subnet), gatewaySource: 'derived' };
    else {
      const problem = gatewayProblem(c.subnet, chosen.ip);
      if (problem !== undefined) throw invalidConfig(chosen.at, problem);
      subnet = { ...c.subnet, gateway: chosen.ip.address, gatewaySource: formatPath(chosen.at) };
    }
    if (c.subnet.hadHostBits) warnings.push(hostBitsWarning(c, name, chosen?.ip.address));
    return subnet;
  });
}

function parseAdditionalRoutes(routes: readonly ParsedRoute[] | null | undefined): Route[] {
  return (routes ?? []).map((r, i) => {
    const at = ['additionalRoutes', i];
    if (r.dst === undefined || r.dst === '') throw invalidConfig([...at, 'dst'], 'a destination CIDR is required');
    const dst = mustParseCidr(r.dst, [...at, 'dst']);
    const gwText = r.gw ?? r.gateway;
    if (gwText === undefined || gwText === '') throw invalidConfig([...at, 'gw'], 'a gateway address is required');
    const gw = mustParseIp(gwText, [...at, r.gw !== undefined ? 'gw' : 'gateway']);
    if (gw.family !== dst.family)
      throw invalidConfig([...at, 'gw'], `${gw.address} is IPv${gw.family} but dst ${dst.prefix} is IPv${dst.family}`);
    return { dst: dst.prefix, gw: gw.address };
  });
}

/** The log settings as the plugin's log read them (log-settings.ts); here a bad one is code 7. */
function parseLogSettings(raw: unknown): { logFile: string | undefined; logLevel: LogLevel } {
  const s = readLogSettings(raw);
  const problem = s.problems[0];
  if (problem) throw invalidConfig([problem.field], problem.reason);
  return { logFile: s.logFile, logLevel: s.logLevel };
}

function staticIpsFrom(
  runtimeIps: readonly unknown[] | null | undefined,
  args: ArgsInput | undefined,
  ipamAddress: string | undefined,
): StaticIp[] {
  if (runtimeIps !== undefined && runtimeIps !== null && runtimeIps.length > 0) {
    return parseStaticIps(runtimeIps, ['runtimeConfig', 'ips']);
  }
  const argIp = argOf(args, 'IP');
  if (argIp !== undefined && argIp !== '') return parseStaticIps(argIp.split(','), ['CNI_ARGS', 'IP']);
  if (ipamAddress !== undefined && ipamAddress !== '') return parseStaticIps([ipamAddress], ['ipam', 'ipAddress']);
  return [];
}

export interface ParseOptions {
  /** The parsed CNI_ARGS (K8S_POD_NAMESPACE for the DNS search rewrite, MAC=, IP=). */
  args?: ArgsInput;
}

/**
 * Validate and normalise a decoded network config. Throws CniError code 7 (InvalidNetworkConfig) with
 * the field path in the message.
 */
export function parseNatConfig(raw: unknown, options: ParseOptions = {}): NatConfig {
  if (!isObject(raw))
    throw invalidConfig(
      [],
      `expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  const name = getKey(raw, 'name');
  if (typeof name !== 'string' || name === '') throw invalidConfig(['name'], 'the network name is required');
  checkType(getKey(raw, 'type'));

  const parsed = natConfigSchema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error);
  const c = parsed.data;
  const warnings: string[] = [];

  const flags: OptionalFlags = c.optionalFlags ?? optionalFlagsSchema.parse({});
  if (c.loopbackDSR) flags.loopbackDSR = true;

  const additionalRoutes = parseAdditionalRoutes(c.additionalRoutes);
  const subnets = deriveSubnets(name, c.ipam, additionalRoutes, flags, warnings);
  if (flags.enableDualStack && new Set(subnets.map((s) => s.family)).size < 2) {
    warnings.push(
      'optionalFlags.enableDualStack: dual stack needs an IPv4 and an IPv6 subnet (ipam.ranges) and the config has ' +
        (subnets.length === 0 ? 'none' : `only ${subnets.map((s) => s.prefix).join(', ')}`) +
        '; the flag changes nothing by itself',
    );
  }

  const policyArgs = readPolicyArgs(getKey(raw, 'AdditionalArgs'), 'AdditionalArgs');
  const winBridgePolicies = readPolicyArgs(getKey(raw, 'policies'), 'policies');
  const endpointPolicies = [...policyArgs.endpoint, ...winBridgePolicies.endpoint];
  warnings.push(...policyArgs.warnings, ...winBridgePolicies.warnings);

  const rc = c.runtimeConfig;
  const runtimeMac = rc?.mac;
  const argMac = argOf(options.args, 'MAC');
  const mac =
    runtimeMac !== undefined && runtimeMac !== null && runtimeMac !== ''
      ? parseMac(runtimeMac, ['runtimeConfig', 'mac'])
      : argMac !== undefined && argMac !== ''
        ? parseMac(argMac, ['CNI_ARGS', 'MAC'])
        : undefined;

  const rawIpam = getKey(raw, 'ipam');
  return {
    cniVersion: c.cniVersion,
    name,
    type: SUPPORTED_TYPE,
    master: c.master === '' ? undefined : c.master,
    ipam: { type: c.ipam?.type ?? '', raw: isObject(rawIpam) ? rawIpam : {} },
    subnets,
    dns: mergeDns(c.dns ?? EMPTY_CONFIG_DNS, rc?.dns ?? EMPTY_RUNTIME_DNS, argOf(options.args, 'K8S_POD_NAMESPACE')),
    networkDns: mergeDns(c.dns ?? EMPTY_CONFIG_DNS, EMPTY_RUNTIME_DNS, undefined),
    portMappings: applyPortMappingFlags(rc?.portMappings ?? [], flags),
    flags,
    additionalRoutes,
    endpointPolicies,
    networkPolicies: [...policyArgs.network, ...winBridgePolicies.network],
    outboundNatExceptions: outboundNatExceptions(endpointPolicies),
    staticIps: staticIpsFrom(rc?.ips, options.args, c.ipam?.ipAddress),
    mac,
    ...parseLogSettings(raw),
    warnings,
  };
}
