/**
 * Features follow the HNS version (hcsshim hcnglobals.go): what the config needs is checked against
 * what the host's HNS can do, and refused with a clear error instead of an obscure HRESULT.
 */
import { CniError } from '../spec/errors';
import type { HcnApi } from '../hns/api';
import { featuresOf, getHnsVersion, type HnsFeature } from '../hns/client';
import type { HnsVersion } from '../hns/schema';
import type { NatConfig } from './config';
import { NatCode, toCniErrorFromHns } from './errors';

/** Each feature the config needs, with the config field that needs it. */
export function neededFeatures(config: NatConfig): [HnsFeature, string][] {
  const needs: [HnsFeature, string][] = [['apiV2', 'the HCN v2 API']];
  if (config.subnets.some((s) => s.family === 6)) needs.push(['ipv6DualStack', 'an IPv6 subnet (ipam.subnet)']);
  if (config.portMappings.some((m) => m.vipFamily === 6))
    needs.push(['ipv6DualStack', 'an IPv6 hostIP in runtimeConfig.portMappings']);
  if (config.flags.loopbackDSR) needs.push(['dsr', 'optionalFlags.loopbackDSR']);
  if (config.portMappings.some((m) => m.allowAcl)) needs.push(['acl', 'optionalFlags.allowAclPortMapping']);
  return needs;
}

/** What the host lacks for this config, in words (empty when it has everything). */
export function missingFeatures(version: HnsVersion, config: NatConfig): string[] {
  const have = featuresOf(version);
  return neededFeatures(config)
    .filter(([feature]) => !have[feature])
    .map(
      ([feature, why]) =>
        `${why} needs the HNS feature ${feature}, which HNS ${version.Major}.${version.Minor} does not have`,
    );
}

export function hnsVersion(api: HcnApi): HnsVersion {
  try {
    return getHnsVersion(api);
  } catch (e) {
    throw toCniErrorFromHns(e, 'reading the HNS version');
  }
}

export function requireHnsFeatures(api: HcnApi, config: NatConfig): void {
  const missing = missingFeatures(hnsVersion(api), config);
  if (missing.length > 0) throw new CniError(NatCode.HnsUnsupported, missing.join('; '));
}
