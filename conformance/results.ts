/**
 * The suite's own validators for ADD results of every spec version (SPEC.md §5 of each version,
 * containernetworking/cni). libcni accepts malformed results, so it cannot be the judge: these checks
 * are written from the spec text. Each finding carries the checklist id it belongs to.
 */
import { isIP } from 'node:net';
import type { Mode } from './judge';
import { isObject } from './judge';
import { resultFamily } from './versions';

export interface Finding {
  id: string;
  msg: string;
}

export interface Validation {
  findings: Finding[];
  /** Checklist ids for which this result actually held something to check. */
  checked: Set<string>;
}

export interface ResultContext {
  version: string;
  mode: Mode;
}

/** An address with a prefix length; host bits are allowed (C-37). Returns the family or 0. */
export function cidrFamily(s: unknown): 4 | 6 | 0 {
  if (typeof s !== 'string') return 0;
  const slash = s.indexOf('/');
  if (slash < 0) return 0;
  const ip = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  const fam = isIP(ip);
  if (fam === 0 || !/^\d{1,3}$/.test(prefix)) return 0;
  const n = Number(prefix);
  if (fam === 4 && n <= 32) return 4;
  if (fam === 6 && n <= 128) return 6;
  return 0;
}

export function ipFamily(s: unknown): 4 | 6 | 0 {
  if (typeof s !== 'string') return 0;
  const fam = isIP(s);
  return fam === 4 || fam === 6 ? fam : 0;
}

const STRICT_MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;
const LOOSE_MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const isUint = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

class Collector {
  readonly findings: Finding[] = [];
  readonly checked = new Set<string>();
  constructor(readonly ctx: ResultContext) {}
  add(id: string, msg: string): void {
    this.findings.push({ id, msg });
  }
  mark(id: string): void {
    this.checked.add(id);
  }
  /** Unknown keys are spec violations in strict mode only: libcni drops them (libcni pkg/types decoding). */
  keys(id: string, where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    if (this.ctx.mode !== 'strict') return;
    for (const k of Object.keys(obj))
      if (!allowed.includes(k)) this.add(id, `${where} has a key "${k}" that ${this.ctx.version} does not define`);
  }
}

function findNulls(v: unknown, path: string, out: string[]): void {
  if (v === null) out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => findNulls(x, `${path}[${i}]`, out));
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) findNulls(x, `${path}.${k}`, out);
}

function checkDns(c: Collector, dns: unknown, schemaId: string): void {
  if (dns === undefined) return;
  if (!isObject(dns)) return c.add(schemaId, '"dns" is not an object');
  c.mark('C-42');
  c.keys(schemaId, 'dns', dns, ['nameservers', 'domain', 'search', 'options']);
  if (dns.nameservers !== undefined) {
    if (!Array.isArray(dns.nameservers)) c.add('C-42', 'dns.nameservers is not an array');
    else
      dns.nameservers.forEach((n, i) => {
        if (ipFamily(n) === 0) c.add('C-42', `dns.nameservers[${i}] ${JSON.stringify(n)} is not an IP address`);
      });
  }
  if (dns.domain !== undefined && typeof dns.domain !== 'string') c.add('C-42', 'dns.domain is not a string');
  for (const k of ['search', 'options'] as const) {
    const v = dns[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) c.add('C-42', `dns.${k} is not an array of strings`);
  }
}

function checkRoute(c: Collector, r: unknown, where: string, schemaId: string, v11: boolean): void {
  if (!isObject(r)) return c.add(schemaId, `${where} is not an object`);
  c.mark('C-43');
  const extras = ['mtu', 'advmss', 'priority', 'table', 'scope'];
  c.keys(schemaId, where, r, v11 ? ['dst', 'gw', ...extras] : ['dst', 'gw']);
  if (cidrFamily(r.dst) === 0) c.add('C-43', `${where}.dst ${JSON.stringify(r.dst)} is not an address/prefix`);
  if (r.gw !== undefined) {
    c.mark('C-38');
    if (ipFamily(r.gw) === 0) c.add('C-38', `${where}.gw ${JSON.stringify(r.gw)} is not an IP address`);
    else if (cidrFamily(r.dst) !== 0 && ipFamily(r.gw) !== cidrFamily(r.dst))
      c.add('C-38', `${where}.gw family differs from dst`);
  }
  for (const k of extras) {
    if (r[k] === undefined) continue;
    if (v11) {
      c.mark('X-04');
      if (!isUint(r[k])) c.add('X-04', `${where}.${k} is not a non-negative integer`);
      if (k === 'scope' && isUint(r[k]) && (r[k] as number) > 255)
        c.add('X-04', `${where}.scope ${r[k] as number} is out of range`);
    } else {
      c.mark('X-05');
      if (c.ctx.mode === 'strict') c.add('X-05', `${where}.${k} is a 1.1.0 field in a ${c.ctx.version} result`);
    }
  }
}

function checkModern(c: Collector, res: Record<string, unknown>): void {
  const fam = resultFamily(c.ctx.version);
  const v11 = fam === 'v1.1';
  const schemaId = fam === 'v1.0' ? 'C-36' : v11 ? 'X-02' : 'C-47';
  c.mark(schemaId);
  c.keys(schemaId, 'the result', res, ['cniVersion', 'interfaces', 'ips', 'routes', 'dns']);
  let ifaceCount = 0;
  if (res.interfaces !== undefined) {
    if (!Array.isArray(res.interfaces)) c.add(schemaId, '"interfaces" is not an array');
    else {
      ifaceCount = res.interfaces.length;
      res.interfaces.forEach((it, i) => {
        const where = `interfaces[${i}]`;
        if (!isObject(it)) return c.add(schemaId, `${where} is not an object`);
        const newFields = ['mtu', 'socketPath', 'pciID'];
        c.keys(schemaId, where, it, v11 ? ['name', 'mac', 'sandbox', ...newFields] : ['name', 'mac', 'sandbox']);
        if (typeof it.name !== 'string' || it.name === '') c.add(schemaId, `${where}.name is missing or empty`);
        if (it.mac !== undefined) {
          c.mark('C-41');
          const ok = typeof it.mac === 'string' && (c.ctx.mode === 'strict' ? STRICT_MAC : LOOSE_MAC).test(it.mac);
          if (!ok)
            c.add(
              'C-41',
              `${where}.mac ${JSON.stringify(it.mac)} is not a hardware address${c.ctx.mode === 'strict' ? ' in colon form' : ''}`,
            );
        }
        if (it.sandbox !== undefined && typeof it.sandbox !== 'string')
          c.add(schemaId, `${where}.sandbox is not a string`);
        for (const k of newFields) {
          if (it[k] === undefined) continue;
          if (!v11) {
            c.mark('X-05');
            if (c.ctx.mode === 'strict') c.add('X-05', `${where}.${k} is a 1.1.0 field in a ${c.ctx.version} result`);
            continue;
          }
          c.mark('X-03');
          if (k === 'mtu' && !isUint(it.mtu)) c.add('X-03', `${where}.mtu is not a non-negative integer`);
          if (
            k === 'socketPath' &&
            (typeof it.socketPath !== 'string' || !/^(\/|[A-Za-z]:\\|\\\\)/.test(it.socketPath))
          )
            c.add('X-03', `${where}.socketPath is not an absolute path`);
          if (k === 'pciID' && typeof it.pciID !== 'string') c.add('X-03', `${where}.pciID is not a string`);
        }
      });
    }
  }
  if (res.ips !== undefined) {
    if (!Array.isArray(res.ips)) c.add(schemaId, '"ips" is not an array');
    else
      res.ips.forEach((ip, i) => {
        const where = `ips[${i}]`;
        if (!isObject(ip)) return c.add(schemaId, `${where} is not an object`);
        c.keys(
          schemaId,
          where,
          ip,
          fam === 'ips-versioned'
            ? ['version', 'address', 'gateway', 'interface']
            : ['address', 'gateway', 'interface'],
        );
        c.mark('C-37');
        const af = cidrFamily(ip.address);
        if (af === 0) c.add('C-37', `${where}.address ${JSON.stringify(ip.address)} is not an address/prefix`);
        if (ip.gateway !== undefined) {
          c.mark('C-38');
          const gf = ipFamily(ip.gateway);
          if (gf === 0) c.add('C-38', `${where}.gateway ${JSON.stringify(ip.gateway)} is not an IP address`);
          else if (af !== 0 && gf !== af) c.add('C-38', `${where}.gateway is IPv${gf} for an IPv${af} address`);
        }
        if (ip.interface !== undefined) {
          c.mark('C-39');
          if (typeof ip.interface !== 'number' || !Number.isInteger(ip.interface))
            c.add('C-39', `${where}.interface is not an integer`);
          else if (ip.interface < 0 || ip.interface >= ifaceCount)
            c.add('C-39', `${where}.interface ${ip.interface} does not index "interfaces" (length ${ifaceCount})`);
        }
        if (fam === 'ips-versioned') {
          if (ip.version !== '4' && ip.version !== '6')
            c.add('C-47', `${where}.version ${JSON.stringify(ip.version)} must be "4" or "6" in ${c.ctx.version}`);
          else if (af !== 0 && ip.version !== String(af))
            c.add('C-47', `${where}.version "${ip.version}" does not match the address family`);
        } else if (ip.version !== undefined) {
          c.add(schemaId, `${where}.version exists only up to 0.4.0`);
        }
      });
  }
  if (res.routes !== undefined) {
    if (!Array.isArray(res.routes)) c.add(schemaId, '"routes" is not an array');
    else res.routes.forEach((r, i) => checkRoute(c, r, `routes[${i}]`, schemaId, v11));
  }
  checkDns(c, res.dns, schemaId);
}

function checkLegacy(c: Collector, res: Record<string, unknown>): void {
  c.mark('C-47');
  c.keys('C-47', 'the result', res, ['cniVersion', 'ip4', 'ip6', 'dns']);
  if (res.ip4 === undefined && res.ip6 === undefined) c.add('C-47', `a ${c.ctx.version} result needs "ip4" or "ip6"`);
  for (const [key, family] of [
    ['ip4', 4],
    ['ip6', 6],
  ] as const) {
    const block = res[key];
    if (block === undefined) continue;
    if (!isObject(block)) {
      c.add('C-47', `"${key}" is not an object`);
      continue;
    }
    c.keys('C-47', key, block, ['ip', 'gateway', 'routes']);
    c.mark('C-37');
    const af = cidrFamily(block.ip);
    if (af === 0) c.add('C-37', `${key}.ip ${JSON.stringify(block.ip)} is not an address/prefix`);
    else if (af !== family) c.add('C-47', `${key}.ip is an IPv${af} address`);
    if (block.gateway !== undefined) {
      c.mark('C-38');
      if (ipFamily(block.gateway) !== family)
        c.add('C-38', `${key}.gateway ${JSON.stringify(block.gateway)} is not an IPv${family} address`);
    }
    if (block.routes !== undefined) {
      if (!Array.isArray(block.routes)) c.add('C-47', `${key}.routes is not an array`);
      else block.routes.forEach((r, i) => checkRoute(c, r, `${key}.routes[${i}]`, 'C-47', false));
    }
  }
  checkDns(c, res.dns, 'C-47');
}

/** Validates one ADD result (or a prevResult echo) against the schema of the requested version. */
export function validateResult(result: unknown, ctx: ResultContext): Validation {
  const c = new Collector(ctx);
  c.mark('C-35');
  if (!isObject(result)) {
    c.add('C-35', 'the result is not a JSON object');
    return { findings: c.findings, checked: c.checked };
  }
  if (result.cniVersion === undefined) {
    // libcni fills a missing version with the config's (cni#895/#896); the spec says it must be there.
    if (ctx.mode === 'strict') c.add('C-35', 'the result has no "cniVersion"');
  } else if (result.cniVersion !== ctx.version) {
    c.add('C-35', `the result's cniVersion is ${JSON.stringify(result.cniVersion)}, the request used "${ctx.version}"`);
  }
  const nulls: string[] = [];
  findNulls(result, 'result', nulls);
  c.mark('S5-9');
  for (const p of nulls) c.add('S5-9', `${p} is null`);
  if (resultFamily(ctx.version) === 'legacy-ip4') checkLegacy(c, result);
  else checkModern(c, result);
  return { findings: c.findings, checked: c.checked };
}

/** The attachment this plugin claims for the container (C-40), for plugins that create interfaces. */
export function containerInterfaceFindings(
  result: Record<string, unknown>,
  ifname: string,
  netns: string,
  mode: Mode,
): string[] {
  const ifaces = Array.isArray(result.interfaces) ? result.interfaces.filter(isObject) : [];
  const idx = ifaces.findIndex((i) => i.name === ifname && (mode === 'compat' || i.sandbox === netns));
  const out: string[] = [];
  if (idx < 0) {
    out.push(
      mode === 'strict'
        ? `no interface has name "${ifname}" and sandbox "${netns}"`
        : `no interface is named "${ifname}"`,
    );
    return out;
  }
  const ips = Array.isArray(result.ips) ? result.ips.filter(isObject) : [];
  for (const [i, ip] of ips.entries()) {
    if (ip.interface === undefined) {
      if (mode === 'strict') out.push(`ips[${i}] has no "interface" index`);
    } else if (ip.interface !== idx) {
      out.push(`ips[${i}].interface is ${JSON.stringify(ip.interface)}, the container interface is ${idx}`);
    }
  }
  return out;
}
