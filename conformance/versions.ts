/**
 * Every CNI spec version the suite knows, and what each one's result looks like. Deliberately
 * independent of the project's spec/ code: the suite judges plugins, including ours.
 */

export const KNOWN_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

export type ResultFamily = 'legacy-ip4' | 'ips-versioned' | 'v1.0' | 'v1.1';

export function resultFamily(version: string): ResultFamily {
  if (version === '0.1.0' || version === '0.2.0') return 'legacy-ip4';
  if (version === '0.3.0' || version === '0.3.1' || version === '0.4.0') return 'ips-versioned';
  if (version === '1.0.0') return 'v1.0';
  return 'v1.1';
}

const parts = (v: string): number[] => v.split('.').map((p) => Number(p));

/** Numeric comparison of x.y.z versions. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const hasCheck = (v: string): boolean => compareVersions(v, '0.4.0') >= 0;
export const hasGcStatus = (v: string): boolean => compareVersions(v, '1.1.0') >= 0;
/** 0.3.0 introduced prevResult and the `ips` list. */
export const hasChaining = (v: string): boolean => compareVersions(v, '0.3.0') >= 0;
