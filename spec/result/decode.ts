/**
 * A result of any spec version into the model. Two readers, because libcni has two and they
 * disagree about a result whose own `cniVersion` differs from the configuration's:
 *
 * - `decodeResult`: how a runtime or a delegating plugin reads a plugin's stdout
 *   (libcni `invoke.ExecPluginWithResult` → `fixupResultVersion` → `create.Create`): the result's
 *   own `cniVersion` wins when it is a non-empty string; when it is missing, empty or not a string
 *   the configuration's version is assumed (cni#895). Any known version is accepted.
 * - `decodePrevResult`: how a Go plugin reads `prevResult` from its stdin
 *   (`version.ParsePrevResult` → `create.Create(conf.cniVersion)`): the configuration's version
 *   picks the Go result type, and the result's own version must be one that type supports, so a
 *   0.4.0 prevResult under a 1.0.0 configuration is refused while 0.3.1 under 0.4.0 is accepted.
 */
import * as z from '../zod';
import { CniCode, CniError } from '../errors';
import { type CniVersion, isKnownVersion } from '../versions';
import { cidrFamily } from './ip';
import { type Result, ResultSchema } from './model';
import { sameResultType, shapeOf } from './shapes';
import { Result020Wire, Result040Wire, Result100Wire, Result110Wire } from './wire';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const decodingFailure = (msg: string, cause?: unknown) =>
  new CniError(CniCode.DecodingFailure, msg, undefined, cause === undefined ? undefined : { cause });

function describeIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path
        .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
        .join('');
      return path === '' ? i.message : `${path}: ${i.message}`;
    })
    .join('; ');
}

function parseWire<T extends z.ZodType>(schema: T, json: unknown, version: string): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw decodingFailure(`invalid CNI ${version} result: ${describeIssues(parsed.error)}`, parsed.error);
  }
  return parsed.data;
}

/**
 * The 0.1.0/0.2.0 shape. libcni would carry an IPv6 address under `ip4` (and route `dst`s of the
 * other family) into newer shapes with the wrong `version`; we refuse such a result instead, so
 * that every conversion stays the same as decode-then-encode. (Our choice: libcni accepts it.)
 */
function fromLegacy(json: unknown, version: string): Omit<Result, 'cniVersion'> {
  const wire = parseWire(Result020Wire, json, version);
  const ips: NonNullable<Result['ips']> = [];
  const routes: NonNullable<Result['routes']> = [];
  for (const [key, family] of [
    ['ip4', 4],
    ['ip6', 6],
  ] as const) {
    const block = wire[key];
    if (block === undefined) continue;
    if (cidrFamily(block.ip) !== family) {
      throw decodingFailure(`invalid CNI ${version} result: ${key}.ip: not an IPv${family} address: ${block.ip}`);
    }
    ips.push({ address: block.ip, gateway: block.gateway });
    for (const [n, route] of (block.routes ?? []).entries()) {
      if (cidrFamily(route.dst) !== family) {
        throw decodingFailure(
          `invalid CNI ${version} result: ${key}.routes[${n}].dst: not an IPv${family} destination: ${route.dst}`,
        );
      }
      routes.push(route);
    }
  }
  return { ips, routes, dns: wire.dns };
}

/**
 * The 0.3.x/0.4.0 shape. An `ips[].version` that contradicts the address is refused; a missing or
 * empty one is accepted (plugins that print the 1.0.0 shape under a 0.4.0 label exist, and libcni
 * accepts them) and the family is taken from the address, which is what encoding recomputes.
 */
function from040(json: unknown, version: string): Omit<Result, 'cniVersion'> {
  const wire = parseWire(Result040Wire, json, version);
  for (const [n, ip] of (wire.ips ?? []).entries()) {
    if (ip.version === undefined || ip.version === '') continue;
    const family = cidrFamily(ip.address);
    if (ip.version !== String(family)) {
      throw decodingFailure(
        `invalid CNI ${version} result: ips[${n}].version: "${ip.version}" does not match address ${ip.address} (IPv${family})`,
      );
    }
  }
  return {
    interfaces: wire.interfaces?.map((i) => ({ ...i, name: i.name ?? '' })),
    ips: wire.ips?.map(({ version: _v, ...ip }) => ip),
    routes: wire.routes,
    dns: wire.dns,
  };
}

/** 1.0.0 has no 1.1.0 fields (libcni 1.1.2 drops them); 1.1.0 has them all. */
function fromCurrent(json: unknown, version: CniVersion): Omit<Result, 'cniVersion'> {
  const wire =
    shapeOf(version) === '1.1' ? parseWire(Result110Wire, json, version) : parseWire(Result100Wire, json, version);
  return { ...wire, interfaces: wire.interfaces?.map((i) => ({ ...i, name: i.name ?? '' })) };
}

/** The body, once its version is known. `null` is an empty result, as in libcni (cni#904). */
function decodeBody(json: unknown, version: CniVersion): Result {
  if (json !== null && !isPlainObject(json)) {
    throw decodingFailure(`invalid CNI ${version} result: expected a JSON object, got ${describeType(json)}`);
  }
  const body = json ?? {};
  const fields =
    shapeOf(version) === '0.2'
      ? fromLegacy(body, version)
      : shapeOf(version) === '0.4'
        ? from040(body, version)
        : fromCurrent(body, version);
  const model = ResultSchema.safeParse({ cniVersion: version, ...fields });
  if (!model.success)
    throw decodingFailure(`invalid CNI ${version} result: ${describeIssues(model.error)}`, model.error);
  return model.data;
}

const describeType = (v: unknown): string => (Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`);

function knownVersion(v: string): CniVersion {
  if (!isKnownVersion(v)) throw decodingFailure(`unsupported CNI result version "${v}"`);
  return v;
}

/**
 * A plugin's result (its stdout, already JSON-parsed) read under a configuration of `version`.
 * The result's own non-empty `cniVersion` wins; only the exact key counts here, as in libcni's
 * `fixupResultVersion`, which looks the raw map up by `"cniVersion"`.
 */
export function decodeResult(json: unknown, version: CniVersion): Result {
  const own = isPlainObject(json) && Object.hasOwn(json, 'cniVersion') ? json.cniVersion : undefined;
  const effective = typeof own === 'string' && own !== '' ? knownVersion(own) : version;
  return decodeBody(json, effective);
}

/**
 * The result's own version as Go's `ParsePrevResult` ends up reading it: the configuration's
 * version is injected as `CNIVersion` when that exact key is absent or `""`, the map is re-encoded
 * (keys sorted bytewise) and decoded case-insensitively, so the last key folding to `cniversion`
 * in sorted order that is not `null` wins — normally the result's own `cniVersion`.
 */
function prevResultOwnVersion(json: Record<string, unknown>, version: CniVersion): string {
  const raw = { ...json };
  if (!Object.hasOwn(raw, 'CNIVersion') || raw.CNIVersion === '') raw.CNIVersion = version;
  let own = '';
  const keys = Object.keys(raw)
    .filter((k) => k.toLowerCase() === 'cniversion')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) {
    const v = raw[k];
    if (v === null) continue;
    if (typeof v !== 'string')
      throw decodingFailure(`could not parse prevResult: cniVersion must be a string, got ${describeType(v)}`);
    own = v;
  }
  return own;
}

/**
 * `prevResult` from a plugin's network configuration of `version`. `undefined` when there is none
 * (`null` counts as none, as in Go). A result whose own version belongs to another result type than
 * the configuration's is refused, as Go plugins refuse it.
 */
export function decodePrevResult(json: unknown, version: CniVersion): Result | undefined {
  if (json === undefined || json === null) return undefined;
  if (!isPlainObject(json)) {
    throw decodingFailure(`could not parse prevResult: expected a JSON object, got ${describeType(json)}`);
  }
  const own = prevResultOwnVersion(json, version);
  const accepted = sameResultType(version);
  if (!accepted.includes(own)) {
    throw decodingFailure(
      `could not parse prevResult: result type supports [${accepted.join(' ')}] but unmarshalled CNIVersion is "${own}"`,
    );
  }
  return decodeBody(json, own === '' ? '0.1.0' : knownVersion(own));
}
