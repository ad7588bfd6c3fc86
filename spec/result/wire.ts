/**
 * The wire shapes of a result in each spec version, as libcni 1.1.2 (≤ 1.0.0) and libcni ≥ 1.2
 * (1.1.0) unmarshal them: keys match case-insensitively, unknown keys are dropped, JSON `null`
 * reads as absent (Go leaves the zero value), a `null` inside a string list reads as `""`.
 * Addresses are checked here so that an error names the field it is in.
 */
import * as z from '../zod';
import { ciObject } from '../keys';
import { CidrSchema, GoIntSchema, IpSchema } from './model';

const absentIfNull = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === null ? undefined : v), s.optional());

const Str = absentIfNull(z.string());
const Int = absentIfNull(GoIntSchema);
const Ip = absentIfNull(IpSchema);
const StrList = absentIfNull(z.array(z.preprocess((v) => (v === null ? '' : v), z.string())));
const list = <T extends z.ZodType>(item: T) => absentIfNull(z.array(item));

const Dns = ciObject({ nameservers: StrList, domain: Str, search: StrList, options: StrList });

/** Route of every version up to 1.0.0. */
const Route = ciObject({ dst: CidrSchema, gw: Ip });
const Route110 = ciObject({
  dst: CidrSchema,
  gw: Ip,
  mtu: Int,
  advmss: Int,
  priority: Int,
  table: Int,
  scope: Int,
});

const Legacy = ciObject({ ip: CidrSchema, gateway: Ip, routes: list(Route) });
export const Result020Wire = ciObject({ ip4: absentIfNull(Legacy), ip6: absentIfNull(Legacy), dns: absentIfNull(Dns) });

const Interface040 = ciObject({ name: Str, mac: Str, sandbox: Str });
const Ip040 = ciObject({ version: Str, interface: Int, address: CidrSchema, gateway: Ip });
export const Result040Wire = ciObject({
  interfaces: list(Interface040),
  ips: list(Ip040),
  routes: list(Route),
  dns: absentIfNull(Dns),
});

const Ip100 = ciObject({ interface: Int, address: CidrSchema, gateway: Ip });
export const Result100Wire = ciObject({
  interfaces: list(Interface040),
  ips: list(Ip100),
  routes: list(Route),
  dns: absentIfNull(Dns),
});

const Interface110 = ciObject({ name: Str, mac: Str, mtu: Int, sandbox: Str, socketPath: Str, pciID: Str });
export const Result110Wire = ciObject({
  interfaces: list(Interface110),
  ips: list(Ip100),
  routes: list(Route110),
  dns: absentIfNull(Dns),
});

export type Result020Wire = z.infer<typeof Result020Wire>;
export type Result040Wire = z.infer<typeof Result040Wire>;
export type Result110Wire = z.infer<typeof Result110Wire>;
