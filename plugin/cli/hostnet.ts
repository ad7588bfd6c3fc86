/**
 * The host's own networks, which a new NAT subnet must not overlap: the addresses of its adapters
 * (os.networkInterfaces(); on Windows the names are the adapters' friendly names, "Ethernet",
 * "vEthernet (nat)") and the destinations of its IPv4 routes (`route print -4` on Windows,
 * /proc/net/route on Linux). A route table that cannot be read is reported, not fatal.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCidr, type Subnet } from '../subnet';

export interface HostNetworks {
  adapters: { name: string; subnet: Subnet }[];
  routes: Subnet[];
  /** Why the routes are missing, when they are. */
  routesProblem?: string;
}

/** 255.255.240.0 -> 20; undefined for a mask that is not contiguous ones then zeros. */
function prefixOfMask(mask: string): number | undefined {
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  if (bits.length !== 32 || !/^1*0*$/.test(bits)) return undefined;
  const firstZero = bits.indexOf('0');
  return firstZero < 0 ? 32 : firstZero;
}

/** `route print -4`'s "Active Routes" lines: destination, netmask, gateway, interface, metric. */
export function routesFromRoutePrint(text: string): Subnet[] {
  const out: Subnet[] = [];
  for (const m of text.matchAll(
    /^\s*(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+\d+\s*$/gm,
  )) {
    const len = prefixOfMask(m[2] as string);
    const s = len === undefined ? undefined : parseCidr(`${m[1] as string}/${len}`);
    if (s?.ok) out.push(s.value);
  }
  return out;
}

/** /proc/net/route: destination and mask in little-endian hex. */
export function routesFromProcNetRoute(text: string): Subnet[] {
  const ip = (hex: string) => [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const out: Subnet[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const len = prefixOfMask(ip(f[7] as string));
    const s = len === undefined ? undefined : parseCidr(`${ip(f[1] as string)}/${len}`);
    if (s?.ok) out.push(s.value);
  }
  return out;
}

function readRoutes(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { routes: Subnet[]; problem?: string } {
  try {
    if (platform === 'win32') {
      const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
      const r = spawnSync(path.win32.join(root, 'System32', 'ROUTE.EXE'), ['PRINT', '-4'], {
        encoding: 'utf8',
        timeout: 10_000,
        windowsHide: true,
      });
      if (r.status !== 0)
        return { routes: [], problem: `route print -4 failed (${r.error?.message ?? `exit ${r.status}`})` };
      return { routes: routesFromRoutePrint(r.stdout) };
    }
    if (platform === 'linux') return { routes: routesFromProcNetRoute(fs.readFileSync('/proc/net/route', 'utf8')) };
    return { routes: [], problem: `routes are not read on ${platform}` };
  } catch (e) {
    return { routes: [], problem: `cannot read the route table: ${(e as Error).message}` };
  }
}

export function hostNetworks(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): HostNetworks {
  const adapters: HostNetworks['adapters'] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      const s = a.cidr ? parseCidr(a.cidr) : undefined;
      if (s?.ok) adapters.push({ name, subnet: s.value });
    }
  }
  const { routes, problem } = readRoutes(platform, env);
  return { adapters, routes, ...(problem ? { routesProblem: problem } : {}) };
}

/** The host's adapter names, as a config's `master` must name one. */
export const adapterNames = (): string[] => Object.keys(os.networkInterfaces());
