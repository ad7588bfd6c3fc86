/** Small pieces several case groups share. */
import type { T } from '../context';
import type { JsonObject } from '../profiles/types';
import { isObject } from '../judge';

/** Text of an error object that a message check may search (msg and details). */
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
export const errorText = (e: JsonObject): string => `${text(e.msg)} ${text(e.details)}`;

/** Every address a result of any version assigns (ips[].address, ip4.ip, ip6.ip). */
export function resultAddresses(r: JsonObject): string[] {
  const out: string[] = [];
  if (Array.isArray(r.ips))
    for (const ip of r.ips) if (isObject(ip) && typeof ip.address === 'string') out.push(ip.address);
  for (const k of ['ip4', 'ip6']) {
    const b = r[k];
    if (isObject(b) && typeof b.ip === 'string') out.push(b.ip);
  }
  return out;
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm)
      : isObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, norm(v[k])]),
          )
        : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** Skips when the plugin lists no version that satisfies `pred` among those selected. */
export async function versionsOrSkip(t: T, pred: (v: string) => boolean, what: string): Promise<string[]> {
  const vs = await t.versionsWhere(pred);
  if (vs.length === 0) t.skip(`no selected version supported by the plugin ${what}`);
  return vs;
}

export async function requireInterfacePlugin(t: T): Promise<void> {
  if (t.session.kind === 'ipam')
    t.skip('IPAM plugin: it answers with the abbreviated delegated result (no interfaces) and is not chained');
}

export async function requireObservation(t: T): Promise<void> {
  if (!t.session.observes) t.skip("the profile cannot observe this plugin's state");
}

/** A 1.1.0 case needs the plugin to list 1.1.0 (and the user not to have deselected it). */
export async function require11(t: T): Promise<void> {
  const vs = await t.versions();
  if (!vs.includes('1.1.0')) {
    const sup = (await t.supported()).includes('1.1.0');
    t.skip(
      sup
        ? '1.1.0 is not selected with --versions'
        : 'the plugin implements spec 1.0.0 (1.1.0 is not in supportedVersions)',
    );
  }
}
