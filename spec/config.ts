/**
 * The generic part of a network configuration (SPEC.md §1 "Plugin configuration objects"), read
 * with case-insensitive keys as Go plugins read it. Plugin-specific fields are the plugin's business:
 * it gets the raw decoded object next to this parsed view. JSON `null` counts as absent, as Go's
 * decoder treats it.
 */
import * as z from './zod';
import { CniCode, CniError } from './errors';
import { ciLooseObject, ciObject, getKey } from './keys';
import { goJsonKind } from './gofmt';
import { validateNetworkName } from './names';

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const DnsConfigSchema = ciObject({
  nameservers: optional(z.array(z.string())),
  domain: optional(z.string()),
  search: optional(z.array(z.string())),
  options: optional(z.array(z.string())),
});

/** `ipam`: the delegate's `type`, everything else kept for the IPAM plugin. */
export const IpamConfigSchema = ciLooseObject({ type: optional(z.string()) });

const objectOf = <T extends z.ZodType>(value: T) => optional(z.record(z.string(), value));

export const NetworkConfigSchema = ciObject({
  cniVersion: optional(z.string()),
  name: z.string(),
  /**
   * Required by the spec, but not checked: the runtime found the plugin by it, and neither Go's
   * skel nor Microsoft's nat plugin refuses a configuration without it.
   */
  type: optional(z.string()),
  capabilities: objectOf(z.boolean()),
  runtimeConfig: objectOf(z.unknown()),
  args: objectOf(z.unknown()),
  /** Kept raw here; the dispatcher decodes it with the result model at the request's version. */
  prevResult: optional(z.unknown()),
  ipam: optional(IpamConfigSchema),
  dns: optional(DnsConfigSchema),
});

export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;
export type DnsConfig = z.infer<typeof DnsConfigSchema>;
export type IpamConfig = z.infer<typeof IpamConfigSchema>;

/** `a.b[0].c: message` for the first issue: enough to find the field in a configuration file. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid value';
  const path = issue.path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${String(p)}`),
    '',
  );
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * Go skel's first look at the configuration: the network name, read case-insensitively. A name of
 * the wrong JSON type is a decoding error (6) with Go's text; empty or malformed names are code 7.
 */
export function checkNetworkName(config: Record<string, unknown>): string {
  const name = getKey(config, 'name') ?? '';
  if (typeof name !== 'string') {
    throw new CniError(
      CniCode.DecodingFailure,
      `error unmarshall network config: json: cannot unmarshal ${goJsonKind(name)} into Go struct field .name of type string`,
    );
  }
  validateNetworkName(name);
  return name;
}

/** The generic configuration; a field of the wrong shape is an invalid configuration (7). */
export function parseNetworkConfig(config: Record<string, unknown>): NetworkConfig {
  const parsed = NetworkConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CniError(CniCode.InvalidNetworkConfig, 'invalid network configuration', describeIssue(parsed.error));
  }
  return parsed.data;
}

/** One live attachment in a GC request (SPEC.md 1.1.0 §2 GC). */
export const GcAttachmentSchema = ciObject({ containerID: z.string(), ifname: z.string() });
export type GcAttachment = z.infer<typeof GcAttachmentSchema>;

/** The GC key, and the name it had in the `spec-v1.1.0` tag (libcni ≥1.2.3 sends both). */
export const VALID_ATTACHMENTS_KEY = 'cni.dev/valid-attachments';
export const LEGACY_ATTACHMENTS_KEY = 'cni.dev/attachments';

/**
 * The attachments a GC request says are still in use. The current key wins over the legacy one.
 * `undefined` when neither key is present: libcni then has already DELeted every attachment it
 * knew of, and it is the plugin's call whether "no list" means "keep everything" or "nothing is
 * valid" (the spec is silent). Malformed lists are code 7.
 */
export function parseValidAttachments(config: Record<string, unknown>): GcAttachment[] | undefined {
  for (const key of [VALID_ATTACHMENTS_KEY, LEGACY_ATTACHMENTS_KEY]) {
    const value = getKey(config, key);
    if (value === undefined || value === null) continue;
    const parsed = z.array(GcAttachmentSchema).safeParse(value);
    if (!parsed.success) {
      throw new CniError(CniCode.InvalidNetworkConfig, `invalid ${key}`, describeIssue(parsed.error));
    }
    return parsed.data;
  }
  return undefined;
}
