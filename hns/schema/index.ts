/** HNS v2 JSON documents: tolerant, case-insensitive readers (zod) and hcsshim-exact writers. */
export * from './common';
export * from './policies';
export * from './objects';
export * from './requests';
export * from './writers';
