/**
 * HRESULTs the Host Networking Service returns, and HnsError, the one error type of hns/.
 * Names and texts: winerror.h (facility 0x3B, HCN/GCN; golang.org/x/sys/windows zerrors_windows.go);
 * GCN texts and 0x803B0036/37 from learn.microsoft.com/virtualization/api/hcn/Reference/hcnhresult.
 * HRESULTs are kept unsigned (0x803b0001), as hcsshim prints them and HNS writes `ErrorCode`.
 */

/** Every HRESULT the simulator or a client may meet: name -> [unsigned value, message]. */
const HRESULTS = {
  S_OK: [0x00000000, 'The operation completed successfully.'],
  HCN_E_NETWORK_NOT_FOUND: [0x803b0001, 'The network was not found.'],
  HCN_E_ENDPOINT_NOT_FOUND: [0x803b0002, 'The endpoint was not found.'],
  HCN_E_LAYER_NOT_FOUND: [0x803b0003, "The network's underlying layer was not found."],
  HCN_E_SWITCH_NOT_FOUND: [0x803b0004, 'The virtual switch was not found.'],
  HCN_E_SUBNET_NOT_FOUND: [0x803b0005, 'The network does not have a subnet for this endpoint.'],
  HCN_E_ADAPTER_NOT_FOUND: [0x803b0006, 'An adapter was not found.'],
  HCN_E_PORT_NOT_FOUND: [0x803b0007, 'The switch-port was not found.'],
  HCN_E_POLICY_NOT_FOUND: [0x803b0008, 'An expected policy was not found.'],
  HCN_E_VFP_PORTSETTING_NOT_FOUND: [0x803b0009, 'A required VFP port setting was not found.'],
  HCN_E_INVALID_NETWORK: [0x803b000a, 'The provided network configuration is invalid or missing parameters.'],
  HCN_E_INVALID_NETWORK_TYPE: [0x803b000b, 'Invalid network type.'],
  HCN_E_INVALID_ENDPOINT: [0x803b000c, 'The provided endpoint configuration is invalid or missing parameters.'],
  HCN_E_INVALID_POLICY: [0x803b000d, 'The provided policy configuration is invalid or missing parameters.'],
  HCN_E_INVALID_POLICY_TYPE: [0x803b000e, 'Invalid policy type.'],
  HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION: [0x803b000f, 'This requested operation is invalid for a remote endpoint.'],
  HCN_E_NETWORK_ALREADY_EXISTS: [0x803b0010, 'A network with this name already exists.'],
  // The duplicated text is winerror.h's own.
  HCN_E_LAYER_ALREADY_EXISTS: [0x803b0011, 'A network with this name already exists.'],
  HCN_E_POLICY_ALREADY_EXISTS: [0x803b0012, 'Policy information already exists on this object.'],
  HCN_E_PORT_ALREADY_EXISTS: [0x803b0013, 'The specified port already exists.'],
  HCN_E_ENDPOINT_ALREADY_ATTACHED: [0x803b0014, 'This endpoint is already attached to the switch.'],
  HCN_E_REQUEST_UNSUPPORTED: [0x803b0015, 'The specified request is unsupported.'],
  HCN_E_MAPPING_NOT_SUPPORTED: [0x803b0016, 'Port mapping is not supported on the given network.'],
  HCN_E_DEGRADED_OPERATION: [0x803b0017, 'There was an operation attempted on a degraded object.'],
  HCN_E_SHARED_SWITCH_MODIFICATION: [0x803b0018, 'Cannot modify a switch shared by multiple networks.'],
  HCN_E_GUID_CONVERSION_FAILURE: [0x803b0019, 'Failed to interpret a parameter as a GUID.'],
  HCN_E_REGKEY_FAILURE: [0x803b001a, 'Failed to process registry key.'],
  HCN_E_INVALID_JSON: [0x803b001b, 'Invalid JSON document string.'],
  HCN_E_INVALID_JSON_REFERENCE: [0x803b001c, 'The reference is invalid in the JSON document.'],
  HCN_E_ENDPOINT_SHARING_DISABLED: [0x803b001d, 'Endpoint sharing is disabled.'],
  HCN_E_INVALID_IP: [0x803b001e, 'IP address is either invalid or not part of any configured subnet(s).'],
  HCN_E_SWITCH_EXTENSION_NOT_FOUND: [0x803b001f, 'The specified switch extension does not exist on this switch.'],
  HCN_E_MANAGER_STOPPED: [0x803b0020, 'Operation cannot be performed while service is stopping.'],
  GCN_E_MODULE_NOT_FOUND: [0x803b0021, 'Operation cannot be performed while service module not found.'],
  GCN_E_NO_REQUEST_HANDLERS: [0x803b0022, 'Request Handlers not present to handle the JSON request.'],
  GCN_E_REQUEST_UNSUPPORTED: [0x803b0023, 'The specified request is unsupported.'],
  GCN_E_RUNTIMEKEYS_FAILED: [0x803b0024, 'Add runtime keys to container failed.'],
  GCN_E_NETADAPTER_TIMEOUT: [0x803b0025, 'Timeout while waiting for network adapter with the given instance id.'],
  GCN_E_NETADAPTER_NOT_FOUND: [0x803b0026, 'Network adapter not found for the given instance id.'],
  GCN_E_NETCOMPARTMENT_NOT_FOUND: [0x803b0027, 'Network compartment not found for the given id.'],
  GCN_E_NETINTERFACE_NOT_FOUND: [0x803b0028, 'Network interface not found for the given id.'],
  GCN_E_DEFAULTNAMESPACE_EXISTS: [0x803b0029, 'Default Namespace already exists.'],
  HCN_E_ICS_DISABLED: [
    0x803b002a,
    'Internet Connection Sharing service (SharedAccess) is disabled and cannot be started.',
  ],
  HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS: [
    0x803b002b,
    'This requested operation is invalid as endpoint is already part of a network namespace.',
  ],
  HCN_E_ENTITY_HAS_REFERENCES: [0x803b002c, 'The specified entity cannot be removed while it still has references.'],
  HCN_E_INVALID_INTERNAL_PORT: [0x803b002d, 'The internal port must exist and cannot be zero.'],
  HCN_E_NAMESPACE_ATTACH_FAILED: [0x803b002e, 'The requested operation for attach namespace failed.'],
  HCN_E_ADDR_INVALID_OR_RESERVED: [0x803b002f, 'An address provided is invalid or reserved.'],
  HCN_E_INVALID_PREFIX: [0x803b0030, 'The prefix provided is invalid.'],
  HCN_E_OBJECT_USED_AFTER_UNLOAD: [0x803b0031, 'A call was performed against an object that was torn down.'],
  HCN_E_INVALID_SUBNET: [0x803b0032, 'The provided subnet configuration is invalid or missing parameters.'],
  HCN_E_INVALID_IP_SUBNET: [0x803b0033, 'The provided IP subnet configuration is invalid or missing parameters.'],
  HCN_E_ENDPOINT_NOT_ATTACHED: [0x803b0034, 'The endpoint must be attached to complete the operation.'],
  HCN_E_ENDPOINT_NOT_LOCAL: [0x803b0035, 'The endpoint must be local to complete the operation.'],
  HCN_INTERFACEPARAMETERS_ALREADY_APPLIED: [0x803b0036, 'Cannot apply more than one InterfaceParameters policy.'],
  HCN_E_VFP_NOT_ALLOWED: [0x803b0037, 'A network of this type can not be created because VFP is not available.'],
  // Not facility 0x3B, but seen from (or plausible for) the HCN calls (antrea-io/antrea#2301, kubernetes-sigs/sig-windows-tools#249).
  E_NOTIMPL: [0x80004001, 'Not implemented.'],
  E_POINTER: [0x80004003, 'Invalid pointer.'],
  E_FAIL: [0x80004005, 'Unspecified error'],
  E_UNEXPECTED: [0x8000ffff, 'Catastrophic failure'],
  E_ACCESSDENIED: [0x80070005, 'Access is denied.'],
  E_HANDLE: [0x80070006, 'The handle is invalid.'],
  E_OUTOFMEMORY: [0x8007000e, 'Not enough memory resources are available to complete this operation.'],
  ERROR_GEN_FAILURE: [0x8007001f, 'A device attached to the system is not functioning.'],
  ERROR_DUP_NAME: [0x80070034, 'You were not connected because a duplicate name exists on the network.'],
  E_INVALIDARG: [0x80070057, 'The parameter is incorrect.'],
  ERROR_ALREADY_EXISTS: [0x800700b7, 'Cannot create a file when that file already exists.'],
  ERROR_NOT_FOUND: [0x80070490, 'Element not found.'],
  ERROR_TIMEOUT: [0x800705b4, 'This operation returned because the timeout period expired.'],
  RPC_S_SERVER_UNAVAILABLE: [0x800706ba, 'The RPC server is unavailable.'],
  RPC_S_CALL_FAILED: [0x800706be, 'The remote procedure call failed.'],
} as const;

export type HresultName = keyof typeof HRESULTS;

/** Symbolic name -> unsigned HRESULT, for code that names the error it returns or expects. */
export const HR = Object.freeze(Object.fromEntries(Object.entries(HRESULTS).map(([name, [hr]]) => [name, hr]))) as {
  readonly [K in HresultName]: (typeof HRESULTS)[K][0];
};

const BY_VALUE = new Map<number, readonly [string, string]>(
  Object.entries(HRESULTS).map(([name, [hr, message]]) => [hr, [name, message]] as const),
);

/** Unsigned 32-bit form of an HRESULT given signed (as an int32 from FFI) or unsigned. */
export const toUnsigned = (hr: number): number => hr >>> 0;

/** Signed 32-bit form, as the C ABI and the sim wire protocol carry it. */
export const toSigned = (hr: number): number => hr | 0;

export const isFailure = (hr: number): boolean => toSigned(hr) < 0;

export const formatHresult = (hr: number): string => '0x' + toUnsigned(hr).toString(16).toUpperCase().padStart(8, '0');

export function hresultName(hr: number): string {
  return BY_VALUE.get(toUnsigned(hr))?.[0] ?? `HRESULT_${formatHresult(hr)}`;
}

export function hresultMessage(hr: number): string {
  const known = BY_VALUE.get(toUnsigned(hr));
  if (known) return known[1];
  const u = toUnsigned(hr);
  // FACILITY_WIN32 codes without a table entry still say which Win32 error they carry.
  if ((u & 0x1fff0000) === 0x00070000) return `Win32 error ${u & 0xffff}.`;
  return `Unknown HRESULT ${formatHresult(hr)}.`;
}

/**
 * The ErrorRecord HNS writes on failure (observed in antrea-io/antrea#2301, kubernetes/kubernetes#100962): key order Success, Error, ErrorCode; the
 * FormatMessage text ends with a space, and newer HNS appends detail after it.
 */
export function errorRecordJson(hr: number, detail?: string): string {
  const text = hresultMessage(hr) + ' ' + (detail ?? '');
  return JSON.stringify({ Success: false, Error: text, ErrorCode: toUnsigned(hr) });
}

/** The `Error` text of an ErrorRecord, or undefined when the record is not such a JSON object. */
export function errorRecordText(record: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(record);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    for (const [k, v] of Object.entries(parsed)) if (k.toLowerCase() === 'error' && typeof v === 'string') return v;
  } catch {
    return undefined;
  }
  return undefined;
}

export class HnsError extends Error {
  override readonly name = 'HnsError';
  /** Unsigned 32-bit; 0 when the call returned S_OK with a non-empty ErrorRecord (hcsshim treats that as failure). */
  readonly hresult: number;

  constructor(
    readonly call: string,
    hresult: number,
    readonly errorRecord?: string,
  ) {
    const text =
      (errorRecord && errorRecordText(errorRecord)?.trim()) || (errorRecord?.trim() ?? '') || hresultMessage(hresult);
    super(`${call} failed: ${hresultName(hresult)} (${formatHresult(hresult)}): ${text}`);
    this.hresult = toUnsigned(hresult);
  }
}

export const isHnsError = (e: unknown): e is HnsError => e instanceof HnsError;

/** HRESULTs that mean "no such object" (hcsshim hcn/hcnerrors.go, TestNotFoundError): namespaces answer ERROR_NOT_FOUND. */
const NOT_FOUND = new Set([0x80070490, 0x803b0001, 0x803b0002]);

export const isNotFoundHresult = (hr: number): boolean => NOT_FOUND.has(toUnsigned(hr));

export const isNotFound = (e: unknown): boolean => isHnsError(e) && isNotFoundHresult(e.hresult);

export const hasHresult = (e: unknown, hr: number): boolean => isHnsError(e) && e.hresult === toUnsigned(hr);
