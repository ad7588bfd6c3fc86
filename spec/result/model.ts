/**
 * The one internal result model: the CNI 1.1.0 result (SPEC.md §5), which can hold everything
 * every older version can. Parsing through `ResultSchema` also canonicalises, so that two results
 * libcni would print identically are equal models:
 * - addresses and gateways become the text Go prints (`FD00::05/64` → `fd00::5/64`);
 * - Go's zero values become absent, because libcni's `omitempty` tags drop them on output:
 *   empty strings, empty arrays, an empty `dns`, and `0` for `mtu`/`advmss`/`priority` (but not
 *   for `table`, `scope` or `ips[].interface`, which are pointers in libcni and print `0`).
 */
import * as z from '../zod';
import { canonicalCIDR, canonicalIP } from './ip';

/** A CIDR (`10.0.0.5/24`, host bits kept), as Go's `net.ParseCIDR` reads it. */
export const CidrSchema = z.string().check((ctx) => {
  if (canonicalCIDR(ctx.value) === null) {
    ctx.issues.push({ code: 'custom', message: `invalid CIDR address: ${ctx.value}`, input: ctx.value });
  }
});

/** An IP literal as Go's `net.ParseIP` reads it; `""` means none, as Go's `net.IP` decodes it. */
export const IpSchema = z.string().check((ctx) => {
  if (ctx.value !== '' && canonicalIP(ctx.value) === null) {
    ctx.issues.push({ code: 'custom', message: `invalid IP address: ${ctx.value}`, input: ctx.value });
  }
});

/** Go `int`: any integer JSON number that survives the round trip through a double. */
export const GoIntSchema = z.number().int().refine(Number.isSafeInteger, 'integer out of range');

export const InterfaceSchema = z.object({
  /** Printed even when empty: libcni's tag has no omitempty. */
  name: z.string(),
  mac: z.string().optional(),
  mtu: GoIntSchema.optional(),
  sandbox: z.string().optional(),
  socketPath: z.string().optional(),
  pciID: z.string().optional(),
});

export const IpConfigSchema = z.object({
  address: CidrSchema,
  gateway: IpSchema.optional(),
  /** Index into `interfaces`; libcni checks neither range nor sign, and neither does the model. */
  interface: GoIntSchema.optional(),
});

export const RouteSchema = z.object({
  dst: CidrSchema,
  gw: IpSchema.optional(),
  mtu: GoIntSchema.optional(),
  advmss: GoIntSchema.optional(),
  priority: GoIntSchema.optional(),
  table: GoIntSchema.optional(),
  scope: GoIntSchema.optional(),
});

export const DnsSchema = z.object({
  nameservers: z.array(z.string()).optional(),
  domain: z.string().optional(),
  search: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
});

const ResultShape = z.object({
  /** The version the result was read as; encoders replace it with the target version. */
  cniVersion: z.string().optional(),
  interfaces: z.array(InterfaceSchema).optional(),
  ips: z.array(IpConfigSchema).optional(),
  routes: z.array(RouteSchema).optional(),
  dns: DnsSchema.optional(),
});

type Shape = z.infer<typeof ResultShape>;

/** Copy `obj` without the keys whose value is absent in Go's sense (`omitempty`). */
function compact<T extends object>(obj: T, isEmpty: (v: unknown) => boolean): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && !isEmpty(v)) out[k] = v;
  return out as T;
}

const emptyText = (v: unknown) => v === '' || (Array.isArray(v) && v.length === 0);
const ZERO_MEANS_NONE = new Set(['mtu', 'advmss', 'priority']);
const dropZeroAndEmpty = <T extends object>(o: T): T => {
  const out = compact(o, emptyText) as Record<string, unknown>;
  for (const k of ZERO_MEANS_NONE) if (out[k] === 0) delete out[k];
  return out as T;
};

function canonicalize(r: Shape): Shape {
  const ips = r.ips?.map((ip) =>
    dropZeroAndEmpty({ ...ip, address: canonicalCIDR(ip.address)!, gateway: ip.gateway && canonicalIP(ip.gateway)! }),
  );
  const routes = r.routes?.map((rt) =>
    dropZeroAndEmpty({ ...rt, dst: canonicalCIDR(rt.dst)!, gw: rt.gw && canonicalIP(rt.gw)! }),
  );
  const interfaces = r.interfaces?.map((i) => ({ ...dropZeroAndEmpty(i), name: i.name }));
  const dns = r.dns && compact(r.dns, emptyText);
  return compact(
    { cniVersion: r.cniVersion, interfaces, ips, routes, dns },
    (v) => emptyText(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
  );
}

export const ResultSchema = ResultShape.transform(canonicalize);

export type Result = z.infer<typeof ResultSchema>;
export type ResultInterface = z.infer<typeof InterfaceSchema>;
export type ResultIpConfig = z.infer<typeof IpConfigSchema>;
export type ResultRoute = z.infer<typeof RouteSchema>;
export type ResultDns = z.infer<typeof DnsSchema>;
