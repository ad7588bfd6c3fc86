/**
 * The nat plugin's own CNI error codes (100 and up; 0–99 belong to the spec) and the mapping of HNS
 * failures to readable CNI errors: the HRESULT's name and hex, what it means for the user, and the
 * call that failed.
 */
import { CniCode, CniError, isCniError } from '../spec/errors';
import { HR, formatHresult, hresultName, isHnsError, type HnsError } from '../hns/errors';
import {
  HnsDecodeError,
  NetworkRequestError,
  EndpointRequestError,
  HnsCallError,
  withHnsWarnings,
} from '../hns/client';

export const NatCode = {
  /** An HNS call failed; msg names the call and the HRESULT. */
  HnsFailure: 100,
  /** A host port of a port mapping is already taken by another endpoint. */
  PortConflict: 101,
  /** CHECK found HNS state that differs from what ADD set up. */
  CheckMismatch: 102,
  /** The IPAM plugin crashed, timed out or answered something unreadable. */
  IpamFailure: 103,
  /** The host's HNS cannot do what the config asks (too old a version). */
  HnsUnsupported: 104,
  /** A lock or folder the plugin relies on was created or changed by an account it cannot trust. */
  Untrusted: 105,
} as const;

/** HRESULTs after which the same request may well succeed later: the runtime should retry (code 11). */
const TRANSIENT = new Set<number>([
  HR.RPC_S_SERVER_UNAVAILABLE,
  HR.RPC_S_CALL_FAILED,
  HR.HCN_E_MANAGER_STOPPED,
  HR.ERROR_TIMEOUT,
]);

/** What an HRESULT means in a container user's terms, where the HNS text alone does not say. */
const MEANING: Partial<Record<number, string>> = {
  [HR.HCN_E_PORT_ALREADY_EXISTS]: 'a host port of this container is already mapped by another endpoint',
  [HR.HCN_E_INVALID_IP]: 'the address is not inside the subnet of the HNS network',
  [HR.HCN_E_ADDR_INVALID_OR_RESERVED]: 'the address is the network, gateway or broadcast address, or already in use',
  [HR.HCN_E_NETWORK_ALREADY_EXISTS]: 'another network with this name or ID exists',
  [HR.HCN_E_INVALID_NETWORK]: 'HNS refused the network settings (subnet, gateway or policies)',
  [HR.HCN_E_INVALID_ENDPOINT]: 'HNS refused the endpoint settings',
  [HR.HCN_E_INVALID_POLICY]: 'HNS refused a policy (port mapping, ACL, OutBoundNAT or AdditionalArgs)',
  [HR.HCN_E_INVALID_POLICY_TYPE]: 'HNS does not know a policy type of the config',
  [HR.HCN_E_ADAPTER_NOT_FOUND]:
    "HNS found no host adapter of the name the config's master gives (NetAdapterName policy)",
  [HR.RPC_S_SERVER_UNAVAILABLE]: 'the Host Networking Service (hns) is not running',
};

/**
 * ERROR_NOT_FOUND says only that something was missing; the call says what: the object its name is
 * about (HcnOpenNamespace: the namespace), or for a create, something the request refers to.
 */
function notFoundMeaning(call: string): string {
  const object = /^Hcn(?:Open|Modify|Query|Delete|Close)(Network|Endpoint|Namespace|LoadBalancer)/.exec(call)?.[1];
  if (object !== undefined)
    return `HNS has no such ${object === 'LoadBalancer' ? 'load balancer' : object.toLowerCase()} (any more)`;
  if (call === 'HcnCreateEndpoint') return 'HNS did not find something the endpoint request refers to: its network';
  if (call === 'HcnCreateNetwork')
    return 'HNS did not find something the network request refers to, such as the host adapter `master` names';
  return `HNS did not find an object ${call} refers to`;
}

function describeHnsError(e: HnsError, doing: string): string {
  const meaning = e.hresult === HR.ERROR_NOT_FOUND ? notFoundMeaning(e.call) : MEANING[e.hresult];
  const head = `${doing}: ${e.call} failed with ${hresultName(e.hresult)} (${formatHresult(e.hresult)})`;
  return meaning ? `${head}: ${meaning}` : head;
}

/**
 * Any failure of an HNS operation as a CniError. `doing` says what the plugin was doing, in the
 * user's terms ("creating the endpoint for container X"). CniErrors pass through unchanged.
 */
export function toCniErrorFromHns(e: unknown, doing: string): CniError {
  if (isCniError(e)) return e;
  if (isHnsError(e)) {
    const code = TRANSIENT.has(e.hresult) ? CniCode.TryAgainLater : NatCode.HnsFailure;
    return new CniError(code, describeHnsError(e, doing), e.errorRecord, { cause: e });
  }
  if (e instanceof NetworkRequestError || e instanceof EndpointRequestError) {
    return new CniError(CniCode.InvalidNetworkConfig, `${doing}: ${e.message}`, undefined, { cause: e });
  }
  if (e instanceof HnsDecodeError || e instanceof HnsCallError) {
    return new CniError(
      NatCode.HnsFailure,
      `${doing}: ${e.message}`,
      e instanceof HnsDecodeError ? e.text : undefined,
      { cause: e },
    );
  }
  return new CniError(CniCode.Internal, `${doing}: ${e instanceof Error ? e.message : String(e)}`, undefined, {
    cause: e,
  });
}

/** Run `fn` with HNS's warnings (a handle that would not close after its work was done) sent to the log. */
export function withHnsWarningsLogged<T>(
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
  fn: () => T,
): T {
  return withHnsWarnings(
    (w) => log.warn(w.message, { error: w.error instanceof Error ? w.error.message : String(w.error) }),
    fn,
  );
}
