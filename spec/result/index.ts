/** The CNI result: one model, and its wire forms for every spec version. */
export {
  type Result,
  type ResultInterface,
  type ResultIpConfig,
  type ResultRoute,
  type ResultDns,
  ResultSchema,
} from './model';
export { encodeResult } from './encode';
export { decodeResult, decodePrevResult } from './decode';
export { convertResult } from './convert';
export { canonicalIP, canonicalCIDR, cidrFamily } from './ip';
