/** The CNI spec versions this SDK knows, oldest first, and what each one allows. */

export const ALL_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof ALL_VERSIONS)[number];

/** The newest version: what VERSION reports when the request names none. */
export const CURRENT_VERSION: CniVersion = '1.1.0';

export const isKnownVersion = (v: string): v is CniVersion => (ALL_VERSIONS as readonly string[]).includes(v);
