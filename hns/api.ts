/**
 * HcnApi: the raw Host Compute Network calls of computenetwork.dll (and v1 HNSCall of vmcompute.dll),
 * one method per export, JSON strings in and out. Implemented over koffi (hns/ffi) and over the
 * simulator (hns/sim). Nothing here knows CNI or the JSON schemas: that is hns/client and hns/schema.
 *
 * Every failed call (HRESULT < 0, or a non-empty ErrorRecord on success, as hcsshim's checkForErrors
 * treats it) throws an HnsError (hns/errors) naming the export, with the HRESULT and ErrorRecord text.
 * GUIDs are passed as their 36-character text form; the all-zero GUID asks HNS to generate the ID.
 * Handles are opaque: only the implementation that returned one may receive it back, and every handle
 * must be closed exactly once.
 */

declare const handleBrand: unique symbol;
export type HcnHandle = { readonly [handleBrand]: 'HcnHandle' };

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** The three object families the NAT path uses share one call shape. */
export interface HcnObjectCalls {
  /** Enumerate*: a HostComputeQuery in, a JSON array of GUID strings out. */
  enumerate(query: string): string;
  open(id: string): HcnHandle;
  modify(handle: HcnHandle, settings: string): void;
  /** Query*Properties: a HostComputeQuery in, the object's JSON out. */
  query(handle: HcnHandle, query: string): string;
  delete(id: string): void;
  close(handle: HcnHandle): void;
}

export interface HcnApi {
  readonly network: HcnObjectCalls & {
    create(id: string, settings: string): HcnHandle;
  };
  readonly endpoint: HcnObjectCalls & {
    /** HcnCreateEndpoint takes the network handle first, then the endpoint id. */
    create(network: HcnHandle, id: string, settings: string): HcnHandle;
  };
  readonly namespace: HcnObjectCalls & {
    create(id: string, settings: string): HcnHandle;
  };
  /** v1 HNSCall (vmcompute.dll): method, path, request body; the response envelope JSON out. */
  hnsCall(method: string, path: string, request: string): string;
  /** Release the library (or simulator) resources; the api is unusable afterwards. */
  dispose(): void;
}
