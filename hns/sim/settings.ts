/**
 * The simulator's settings, kept in the state folder. The HNS version gates features as on a real
 * host (hcsshim hcn/hcnglobals.go, the version ranges; hcn/hcnsupport.go, isFeatureInRange); `host`
 * picks the version of a named Windows release. Every other key is a behaviour the sources do not
 * settle: each is a named switch whose default is the most likely reality, with its evidence in the
 * comment. [S] marks a fact stated by public code or documentation, [O] one observed in output quoted
 * in a public issue, [I] an inference.
 */
import * as z from '../../spec/zod';

const Case = z.enum(['lower', 'upper']);

/**
 * Windows releases that run containerd, with the HNS version each reports through HNSCall GET
 * /globals/version (or in the packed `Version` field, (Major << 32) | Minor, of the objects it prints).
 * `custom`: an `hnsVersion` set by hand.
 */
export const HOST_PROFILES = {
  /** Windows Server 2019 (1809, 17763): 9.3 [O kubernetes/kubernetes#93304], 9.5 on 2026 patches [O kubernetes/kubernetes#137530]. */
  ws2019: '9.5',
  /** Windows 10 2004 (19041): 11.10 [O microsoft/hcsshim#1003, kube-proxy log `hcn.Version={11 10}`]. */
  win10: '11.10',
  /** Windows Server 2022 (20348): 13.3, Version 55834574851 on GitHub's windows-2022 runner [O moby/moby#43479]. */
  ws2022: '13.3',
  /** Windows 11: 15.0, Version 64424509440 [O microsoft/Windows-Containers#563]. */
  win11: '15.0',
  /** Windows Server 2025 (26100, the Windows 11 24H2 code base): 15.0 like Windows 11 [I]. */
  ws2025: '15.0',
} as const;
export type HostProfile = keyof typeof HOST_PROFILES;

export const SimSettings = z.object({
  /** The Windows release this HNS belongs to; setting it sets `hnsVersion` (HOST_PROFILES). */
  host: z.enum([...(Object.keys(HOST_PROFILES) as HostProfile[]), 'custom']).default('ws2022'),
  /** HNS service version "Major.Minor" (the default is ws2022's); setting it by hand makes `host` custom. */
  hnsVersion: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('13.3'),

  /** GUID letter case HNS writes (Get-HnsEndpoint in microsoft/Windows-Containers#563): v2 network and endpoint IDs lowercase [O]. */
  networkIdCase: Case.default('lower'),
  endpointIdCase: Case.default('lower'),
  /** Namespace IDs and their resource references print uppercase [O calico#8465, Windows-Containers#485]. */
  namespaceIdCase: Case.default('upper'),
  namespaceResourceIdCase: Case.default('upper'),
  /** Endpoint `HostComputeNamespace` lowercase [O Windows-Containers#563]. */
  endpointNamespaceCase: Case.default('lower'),

  /**
   * An unattached endpoint's `HostComputeNamespace`: absent, or the zero GUID. antrea#2306 saw a client
   * call RemoveNamespaceEndpoint on the zero GUID, so HNS handed it out [O].
   */
  unattachedEndpointNamespace: z.enum(['zeroGuid', 'absent']).default('zeroGuid'),

  /** A second network with an existing name: 0x803B0010 [O moby#40345 text "A network with this name already exists."]. */
  duplicateNetworkName: z.enum(['reject', 'allow']).default('reject'),
  /** Endpoint names are not unique in HNS: clients look names up themselves [I from hcsshim, wcn]. */
  duplicateEndpointName: z.enum(['allow', 'reject']).default('allow'),

  /**
   * A network created without Ipams: `reject` answers 0x80070490 as the v2 call of the Go nat plugin
   * did (containerd PR #13288) [O]; `choose` picks a free /20 in 172.16.0.0/12 with gateway .1, as
   * HNS did for Docker's v1 default network [O dumps, moby PR#25097].
   */
  networkWithoutSubnet: z.enum(['reject', 'choose']).default('reject'),
  /**
   * An IpAddressPrefix with host bits set (172.22.16.0/16): HCN_E_INVALID_NETWORK, observed for that
   * request in microsoft/containers-toolkit#24; that the host bits are the cause is inferred [O/I].
   */
  subnetHostBits: z.enum(['reject', 'allow']).default('reject'),
  /**
   * The host's network adapters by friendly name, as GetAdaptersAddresses lists them (a setting: the
   * simulator's stand-in for the OS, which the development build's plugin asks). A NetAdapterName
   * policy naming none of them (any case) fails with HCN_E_ADAPTER_NOT_FOUND [I: hcsshim names the
   * HRESULT, not the cause; the Go plugin's issue #100 is the config that meets it].
   */
  hostAdapters: z.array(z.string()).default(['Ethernet']),
  /** Overlapping NAT prefixes fail (WinNAT cannot route them): E_FAIL "Unspecified error" [O moby#29207]. */
  natSubnetOverlap: z.enum(['reject', 'allow']).default('reject'),

  /** Deleting a network that still has endpoints: cascade, as hcsshim's TestEndpointStatsAll implies [S/I]. */
  deleteNetworkWithEndpoints: z.enum(['cascade', 'refuse']).default('cascade'),
  /** Deleting an endpoint still in a namespace succeeds and drops the resource [O Windows-Containers#485]. */
  deleteAttachedEndpoint: z.enum(['allow', 'refuse']).default('allow'),
  /** Deleting a namespace with endpoints succeeds and detaches them [O Azure PR#1272]. */
  deleteNamespaceWithEndpoints: z.enum(['detach', 'refuse']).default('detach'),
  /** ModifyNamespace Remove of an endpoint that is not a member: ERROR_NOT_FOUND, as for an unknown namespace [I]. */
  detachNotAttached: z.enum(['notFound', 'succeed']).default('notFound'),

  /** A requested static IP already held by another endpoint [I: HNS's allocator would refuse it]. */
  duplicateStaticIp: z.enum(['reject', 'allow']).default('reject'),
  /** Address choice when the endpoint names none: lowest free host address; real hosts look random [O]. */
  ipAllocation: z.enum(['lowest', 'random']).default('lowest'),
  /** A policy type this HNS version does not know: HCN_E_INVALID_POLICY_TYPE [O calico#8465]. */
  unknownPolicyType: z.enum(['reject', 'ignore']).default('reject'),
  /** Port mappings become WinNAT static mappings, which take TCP and UDP only [I]. */
  portMappingProtocols: z.enum(['tcpUdp', 'any']).default('tcpUdp'),
  /** The endpoint's `HostComputeNetwork` naming another network than the handle passed [I]. */
  endpointNetworkMismatch: z.enum(['reject', 'useHandle']).default('reject'),
  /** Enumerate filters on a key HNS has no such property for: nothing matches [I]. */
  unknownFilterKey: z.enum(['matchNone', 'ignore']).default('matchNone'),
  /** Host DNS injected into endpoints created without Dns [O hcsshim#2369]; none by default. */
  hostDns: z
    .object({
      ServerList: z.array(z.string()).optional(),
      Search: z.array(z.string()).optional(),
      Domain: z.string().optional(),
    })
    .nullable()
    .default(null),
  /** The pre-existing default host namespace (HostDefault, compartment 1) [O calico#8465]. */
  defaultNamespace: z.boolean().default(true),
  /** Deleting that host default namespace: refused with E_ACCESSDENIED [I]; created ones of any Type go. */
  deleteHostDefaultNamespace: z.enum(['refuse', 'allow']).default('refuse'),

  /** Append every call to `callLog` in the state (counts in `calls` are always kept). */
  recordCalls: z.boolean().default(false),
  /**
   * A file that gets one JSON line per call (hns/sim/request-log.ts), from the in-process backend
   * and from `hns-sim serve` alike; null: none (`serve --log FILE` logs without this setting).
   */
  requestLog: z.string().min(1).nullable().default(null),
  /** How long a call waits for the state lock before failing with ERROR_TIMEOUT. */
  lockTimeoutMs: z.number().int().positive().default(30_000),
});
export type SimSettings = z.infer<typeof SimSettings>;

export const defaultSettings = (): SimSettings => SimSettings.parse({});

export type HnsVersion = { major: number; minor: number };

export function parseVersion(v: string): HnsVersion {
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return { major, minor };
}

const cmp = (a: HnsVersion, b: HnsVersion): number => a.major - b.major || a.minor - b.minor;

/** hcsshim's isFeatureInRange: inclusive [min, max] ranges, Major then Minor; max undefined = open. */
export function inRanges(v: HnsVersion, ranges: readonly (readonly [string, string?])[]): boolean {
  return ranges.some(
    ([min, max]) => cmp(v, parseVersion(min)) >= 0 && (max === undefined || cmp(v, parseVersion(max)) <= 0),
  );
}

/** Feature ranges from hcsshim `hcn/hcnglobals.go` (the VersionRanges variables). 9.max is written 9.65535. */
export const FEATURES = {
  ApiV2: [['9.2']],
  Acl: [['7.2']],
  Dsr: [['9.3', '9.65535'], ['10.2']],
  IPv6DualStack: [['11.10']],
  RemoteSubnet: [['9.2']],
  HostRoute: [['9.2']],
  VxlanPort: [['10.3']],
  SetPolicy: [['13.0']],
  L4Proxy: [['9.5', '9.65535'], ['10.5', '10.65535'], ['11.11', '11.65535'], ['12.1', '12.65535'], ['13.1']],
  L4WfpProxy: [['13.2']],
  TierAcl: [['14.0']],
  NetworkAcl: [['15.0']],
  DisableHostPort: [['15.1']],
} as const satisfies Record<string, readonly (readonly [string, string?])[]>;

export type Feature = keyof typeof FEATURES;

export const hasFeature = (s: SimSettings, f: Feature): boolean => inRanges(parseVersion(s.hnsVersion), FEATURES[f]);

/** Parse a `settings set KEY VALUE` value: JSON when it parses, else the raw string. */
export function applySetting(current: SimSettings, key: string, raw: string): SimSettings {
  if (!Object.hasOwn(SimSettings.shape, key)) {
    throw new Error(`unknown setting ${JSON.stringify(key)}; known: ${Object.keys(SimSettings.shape).join(', ')}`);
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word such as `lower` or `reject`
  }
  if (key === 'hnsVersion' && typeof value === 'number') value = raw;
  const patch: Record<string, unknown> = { [key]: value };
  // A profile brings its version; a version set by hand is no named release any more.
  if (key === 'host' && typeof value === 'string' && Object.hasOwn(HOST_PROFILES, value))
    patch.hnsVersion = HOST_PROFILES[value as HostProfile];
  if (key === 'hnsVersion' && current.host !== 'custom' && value !== HOST_PROFILES[current.host]) patch.host = 'custom';
  const next = SimSettings.safeParse({ ...current, ...patch });
  if (!next.success) throw new Error(`invalid value for ${key}: ${next.error.issues.map((i) => i.message).join('; ')}`);
  return next.data;
}
