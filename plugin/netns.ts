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

/** The endpoint name the Go plugin uses, kept so that endpoints survive a swap of plugins. */
export const endpointName = (containerId: string, network: string): string => `${containerId}_${network}`;
