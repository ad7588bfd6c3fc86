/**
 * One result from one spec version to another. libcni converts through its Go types
 * (020 ⇄ 040 ⇄ 100); for every result our decoders accept, that is exactly decode-then-encode
 * through the model, so there are no extra rules to keep here. The only libcni conversions that
 * differ are on inputs `decodeResult` refuses (an IPv6 address under `ip4`, an `ips[].version`
 * that contradicts its address, a 0.2.0 route under the other family's block).
 */
import type { CniVersion } from '../versions';
import { decodeResult } from './decode';
import { encodeResult } from './encode';

export function convertResult(json: unknown, fromVersion: CniVersion, toVersion: CniVersion): Record<string, unknown> {
  return encodeResult(decodeResult(json, fromVersion), toVersion);
}
