/** CNI_NETNS on Windows: the GUID of an HCN namespace, created by the runtime before ADD. */
import { CniCode, CniError } from '../spec/errors';
import { parseGuid } from '../hns/guid';

export function namespaceGuid(netns: string): string {
  const guid = parseGuid(netns);
  if (guid === undefined) {
    throw new CniError(
      CniCode.InvalidEnvironmentVariables,
      `CNI_NETNS "${netns}" is not an HCN namespace ID`,
      'on Windows CNI_NETNS is the GUID of the HNS namespace the runtime created (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    );
  }
  return guid;
}

/** The interface name runtimes give the first (usually only) attachment of a container. */
export const DEFAULT_IFNAME = 'eth0';

/**
 * The endpoint of one attachment. For the default interface it is the Go plugin's `<containerID>_<network>`,
 * so that endpoints survive a swap of plugins; any other interface gets its own endpoint,
 * `<containerID>_<network>_<ifname>` (the Go plugin ignored CNI_IFNAME, so a second attachment of a
 * container to a network got the first one back, and its DEL took the first one away).
 */
export const endpointName = (containerId: string, network: string, ifName: string): string =>
  ifName === DEFAULT_IFNAME || ifName === '' ? `${containerId}_${network}` : `${containerId}_${network}_${ifName}`;

const CONTAINER_ID = '[A-Za-z0-9][A-Za-z0-9_.\\-]*';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether an endpoint name is one endpointName makes for this network: a container ID as the spec allows
 * it, the network, and optionally an interface (one without `_`, so that the split is unambiguous).
 */
export const isPluginEndpointName = (name: string, network: string): boolean =>
  new RegExp(`^${CONTAINER_ID}_${escape(network)}(_[^_/:\\s]+)?$`).test(name);
