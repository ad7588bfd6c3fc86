/**
 * The `portMappings` capability (runtimeConfig.portMappings), normalised for HNS PortMapping policies.
 * containerd/go-cni sends `HostPort`, `ContainerPort`, `Protocol`, `HostIP` (untagged Go struct), the
 * CNI conventions `hostPort`, …: keys match case-insensitively.
 */
import * as z from '../spec/zod';
import { ciObject } from '../spec/keys';
import { parseIp } from './subnet';

/**
 * Protocol names accepted, with their IANA numbers. `tcp` and `udp` are what runtimes send; `icmpv4`,
 * `igmp` and `icmpv6` are accepted because the Go plugin accepts them. Any IANA number 0-255 is also
 * accepted, as a JSON number or a decimal string.
 */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmpv4: 1, igmp: 2, icmpv6: 58 };

const ACCEPTED = `tcp, udp, icmpv4, igmp, icmpv6 (any case) or an IANA protocol number 0-255`;

/** The protocol number for a port-mapping `protocol` value, or a reason it is refused. */
export function protocolNumber(value: unknown): { ok: true; value: number } | { ok: false; reason: string } {
  // Docker's default; the Go plugin fails ADD on an empty protocol instead (inferred improvement).
  if (value === undefined || value === '') return { ok: true, value: PROTOCOL_NUMBERS.tcp as number };
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= 255
      ? { ok: true, value }
      : { ok: false, reason: `${value} is not an IANA protocol number (0-255)` };
  }
  if (typeof value !== 'string') return { ok: false, reason: `expected a string or number, got ${typeof value}` };
  if (/^(0|[1-9]\d{0,2})$/.test(value)) return protocolNumber(Number(value));
  const known = PROTOCOL_NUMBERS[value.toLowerCase()];
  if (known !== undefined) return { ok: true, value: known };
  const hint = value.toLowerCase() === 'sctp' ? ' (HNS NAT port mappings have no sctp support)' : '';
  return { ok: false, reason: `unknown protocol "${value}"${hint}; accepted: ${ACCEPTED}` };
}

const port = z.unknown().superRefine((v, ctx) => {
  if (v === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required' });
  } else if (typeof v !== 'number' || !Number.isInteger(v)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an integer port` });
  } else if (v < 1 || v > 65535) {
    ctx.addIssue({ code: 'custom', message: `${v} is outside 1-65535` });
  }
});

/** A hostIP of "", 0.0.0.0 or :: means every host address: no VIP on the HNS policy. */
const isWildcard = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';

export const portMappingSchema = ciObject({
  hostPort: port,
  containerPort: port,
  protocol: z.unknown().optional(),
  hostIP: z.string().optional(),
}).transform((pm, ctx) => {
  const protocol = protocolNumber(pm.protocol);
  if (!protocol.ok) ctx.addIssue({ code: 'custom', message: protocol.reason, path: ['protocol'] });
  let vip: string | undefined;
  const hostIp = pm.hostIP ?? '';
  if (!isWildcard(hostIp)) {
    const ip = parseIp(hostIp);
    if (ip.ok) vip = ip.value.address;
    else ctx.addIssue({ code: 'custom', message: ip.reason, path: ['hostIP'] });
  }
  if (!protocol.ok) return z.NEVER;
  return {
    hostPort: pm.hostPort as number,
    containerPort: pm.containerPort as number,
    protocol: protocol.value,
    /** Absent when the mapping listens on every host address. */
    ...(vip === undefined ? {} : { vip, vipFamily: vip.includes(':') ? (6 as const) : (4 as const) }),
  };
});

/** One runtime port mapping after validation (before the optionalFlags are applied). */
export type RuntimePortMapping = z.output<typeof portMappingSchema>;

/** A port mapping as ADD turns it into HNS policies. */
export type PortMapping = RuntimePortMapping & {
  /** optionalFlags.localRoutedPortMapping: HNS NatFlags LocalRoutedVip (1). */
  localRouted: boolean;
  /** optionalFlags.allowAclPortMapping: also add an inbound Allow ACL for containerPort. */
  allowAcl: boolean;
};

export function applyPortMappingFlags(
  mappings: readonly RuntimePortMapping[],
  flags: { localRoutedPortMapping: boolean; allowAclPortMapping: boolean },
): PortMapping[] {
  return mappings.map((m) => ({
    ...m,
    localRouted: flags.localRoutedPortMapping,
    allowAcl: flags.allowAclPortMapping,
  }));
}
