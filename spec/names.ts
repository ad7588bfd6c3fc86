/**
 * Syntax of the attachment parameters and the network name (SPEC.md §1, §2), with Go's
 * `pkg/utils` codes and messages: runtimes and the conformance suite compare them.
 */
import { CniCode, CniError } from './errors';

/** Container ids and network names: ASCII alphanumeric first, then alphanumerics, `_`, `.`, `-`. */
const CNI_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Linux IFNAMSIZ - 1, in bytes; Go applies it on every OS and so do we. */
export const MAX_INTERFACE_NAME_BYTES = 15;

export function validateContainerId(id: string): void {
  // Code 3, not 4, for an empty id: Go's choice, kept because it only happens on commands whose
  // required-variable check already refused an empty CNI_CONTAINERID.
  if (id === '') throw new CniError(CniCode.UnknownContainer, 'missing containerID');
  if (!CNI_NAME.test(id))
    throw new CniError(CniCode.InvalidEnvironmentVariables, 'invalid characters in containerID', id);
}

export function validateNetworkName(name: string): void {
  if (name === '') throw new CniError(CniCode.InvalidNetworkConfig, 'missing network name');
  if (!CNI_NAME.test(name)) {
    throw new CniError(CniCode.InvalidNetworkConfig, 'invalid characters found in network name', name);
  }
}

// Go's unicode.IsSpace is the White_Space property.
const BAD_IFNAME_CHAR = /[/:\p{White_Space}]/u;

export function validateInterfaceName(ifName: string): void {
  const env = CniCode.InvalidEnvironmentVariables;
  if (ifName === '') throw new CniError(env, 'interface name is empty');
  if (Buffer.byteLength(ifName, 'utf8') > MAX_INTERFACE_NAME_BYTES) {
    throw new CniError(
      env,
      'interface name is too long',
      `interface name should be less than ${MAX_INTERFACE_NAME_BYTES + 1} characters`,
    );
  }
  if (ifName === '.' || ifName === '..') throw new CniError(env, 'interface name is . or ..');
  if (BAD_IFNAME_CHAR.test(ifName)) throw new CniError(env, 'interface name contains / or : or whitespace characters');
}
