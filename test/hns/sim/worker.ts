/**
 * A separate plugin-like process for the concurrency test: creates COUNT endpoints on NETWORK in
 * the state folder, as hcsshim does (open network, create, query, close), and prints their IPs.
 *   node worker.js STATE_DIR NETWORK_ID COUNT NAME_PREFIX
 */
import fs from 'node:fs';
import { ZERO_GUID } from '../../../hns/guid';
import { writeEndpointRequest, writeQuery } from '../../../hns/schema';
import { createSimApi } from '../../../hns/sim/api';

const [dir = '', network = '', count = '0', prefix = 'w'] = process.argv.slice(2);
const api = createSimApi(dir);
const ips: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const n = api.network.open(network);
  const e = api.endpoint.create(
    n,
    ZERO_GUID,
    writeEndpointRequest({ Name: `${prefix}-${i}`, HostComputeNetwork: network }),
  );
  const props = JSON.parse(api.endpoint.query(e, writeQuery())) as { IpConfigurations: { IpAddress: string }[] };
  ips.push(props.IpConfigurations[0]?.IpAddress ?? '');
  api.endpoint.close(e);
  api.network.close(n);
}
fs.writeSync(1, JSON.stringify(ips));
