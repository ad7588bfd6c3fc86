/**
 * The HNS version and the features it implies (hcsshim hcn/hcnglobals.go and
 * hcnsupport.go). The version is only reachable through v1 HNSCall GET /globals/version.
 */
import { HnsCallResponse, HnsVersion } from '../schema';
import type { HcnApi } from '../api';
import { decodeJson } from './handles';

export class HnsCallError extends Error {
  override readonly name = 'HnsCallError';
}

export function getHnsVersion(api: HcnApi): HnsVersion {
  const envelope = decodeJson('HNSCall', api.hnsCall('GET', '/globals/version', ''), HnsCallResponse);
  if (!envelope.Success) throw new HnsCallError(`HNS failed with error : ${envelope.Error ?? ''}`);
  return decodeJson('HNSCall', JSON.stringify(envelope.Output ?? null), HnsVersion);
}

type Range = readonly [min: readonly [number, number], max?: readonly [number, number]];
const MAX = Number.MAX_SAFE_INTEGER;

/** Inclusive version ranges per feature, as hcsshim lists them; a missing max means "and later". */
const FEATURE_RANGES = {
  acl: [[[7, 2]]],
  apiV2: [[[9, 2]]],
  dsr: [
    [
      [9, 3],
      [9, MAX],
    ],
    [[10, 2]],
  ],
  slash32EndpointPrefixes: [
    [
      [9, 3],
      [9, MAX],
    ],
    [[10, 4]],
  ],
  ipv6DualStack: [[[11, 10]]],
  disableHostPort: [[[15, 1]]],
} satisfies Record<string, readonly Range[]>;

export type HnsFeature = keyof typeof FEATURE_RANGES;
export type HnsFeatures = Record<HnsFeature, boolean>;

const atLeast = (v: HnsVersion, [major, minor]: readonly [number, number]) =>
  v.Major > major || (v.Major === major && v.Minor >= minor);
const atMost = (v: HnsVersion, [major, minor]: readonly [number, number]) =>
  v.Major < major || (v.Major === major && v.Minor <= minor);

export function featuresOf(version: HnsVersion): HnsFeatures {
  const inRange = (ranges: readonly Range[]) =>
    ranges.some(([min, max]) => atLeast(version, min) && (max === undefined || atMost(version, max)));
  return Object.fromEntries(
    Object.entries(FEATURE_RANGES).map(([name, ranges]) => [name, inRange(ranges)]),
  ) as HnsFeatures;
}
