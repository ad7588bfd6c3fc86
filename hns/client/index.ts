/** Typed HNS operations over any HcnApi, following hcsshim's call sequences. */
export * from './handles';
export * from './networks';
export * from './endpoints';
export * from './namespaces';
export * from './globals';
export * from './warnings';
