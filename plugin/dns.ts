/**
 * DNS for the endpoint (and for the network when the plugin creates it): the config's `dns` merged with
 * the runtime's `dns` capability, with the Kubernetes pod-namespace search rewrite.
 */
import * as z from '../spec/zod';
import { ciObject } from '../spec/keys';
import { parseIp } from './subnet';

/** Go decodes `null` into an empty list; so do we. */
const stringList = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

const nameserverList = stringList.superRefine((list, ctx) => {
  list.forEach((s, i) => {
    const ip = parseIp(s);
    if (!ip.ok) ctx.addIssue({ code: 'custom', message: ip.reason, path: [i] });
  });
});

/** The network config's `dns` (CNI types.DNS). */
export const configDnsSchema = ciObject({
  nameservers: nameserverList,
  domain: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  search: stringList,
  options: stringList,
});

/** `runtimeConfig.dns` (CNI conventions; containerd sends Servers/Searches/Options). */
export const runtimeDnsSchema = ciObject({
  servers: nameserverList,
  searches: stringList,
  options: stringList,
});

export const dnsSchema = z.object({
  nameservers: z.array(z.string()),
  domain: z.string(),
  search: z.array(z.string()),
  options: z.array(z.string()),
});

export type ConfigDns = z.output<typeof configDnsSchema>;
export type RuntimeDns = z.output<typeof runtimeDnsSchema>;
export type Dns = z.infer<typeof dnsSchema>;

export const EMPTY_CONFIG_DNS: ConfigDns = { nameservers: [], domain: '', search: [], options: [] };
export const EMPTY_RUNTIME_DNS: RuntimeDns = { servers: [], searches: [], options: [] };

/**
 * The effective DNS, in the Go plugin's order: first the first config search domain is prefixed with the
 * pod namespace (`svc.cluster.local` -> `default.svc.cluster.local`) when one is known, then each
 * non-empty runtime list replaces the config list. `domain` only comes from the config.
 *
 * The Go plugin rewrites `search[0]` in place in its config struct; this returns new arrays and never
 * touches its inputs, so a retried or repeated call does not prefix the namespace twice.
 */
export function mergeDns(config: ConfigDns, runtime: RuntimeDns, podNamespace?: string): Dns {
  const search = [...config.search];
  if (search.length > 0 && podNamespace !== undefined && podNamespace !== '') {
    search[0] = `${podNamespace}.${search[0]}`;
  }
  return {
    nameservers: runtime.servers.length > 0 ? [...runtime.servers] : [...config.nameservers],
    domain: config.domain,
    search: runtime.searches.length > 0 ? [...runtime.searches] : search,
    options: runtime.options.length > 0 ? [...runtime.options] : [...config.options],
  };
}
