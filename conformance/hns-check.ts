/**
 * hns-check: what HNS holds of ours, read through the HCN API (the same view as the nat profile's).
 * The Windows workflow runs it after `nerdctl rm`; tests run it against `hns-sim serve` through the
 * fake library.
 *
 *   node dist/hns-check.js [--library LIB] --network NAME [--container ID] [--remove-network]
 *
 * Prints the networks named NAME, their endpoints and every endpoint whose name contains ID, as JSON.
 * Exits 1 when an endpoint is left on NAME or names ID (the container's attachment outlived it), 0
 * otherwise. --remove-network then deletes NAME (which the plugin keeps for the next container, as the
 * Go plugin does) and checks that it is gone. Exits 2 on a usage error.
 */
import * as fs from 'node:fs';
import { createFfiApi } from '../hns/ffi';
import { hcnView } from './profiles/hns-view';
import type { JsonObject } from './profiles/types';

const USAGE = 'usage: hns-check [--library LIB] --network NAME [--container ID] [--remove-network]';
const say = (s: string): void => void fs.writeSync(1, `${s}\n`);
const get = (o: JsonObject, k: string): string => {
  const v = Object.entries(o).find(([key]) => key.toLowerCase() === k.toLowerCase())?.[1];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
};

async function main(argv: string[]): Promise<number> {
  const opts: { library?: string; network?: string; container?: string; remove: boolean } = { remove: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--library') opts.library = value();
    else if (a === '--network') opts.network = value();
    else if (a === '--container') opts.container = value();
    else if (a === '--remove-network') opts.remove = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (!opts.network) throw new Error('--network is required');
  const view = hcnView(createFfiApi(opts.library));
  try {
    const all = await view.objects();
    const networks = all.networks.filter((n) => get(n, 'Name') === opts.network);
    const ids = new Set(networks.map((n) => get(n, 'ID').toLowerCase()));
    const container = opts.container?.toLowerCase();
    const endpoints = all.endpoints.filter(
      (e) =>
        ids.has(get(e, 'HostComputeNetwork').toLowerCase()) ||
        (container !== undefined && get(e, 'Name').toLowerCase().includes(container)),
    );
    say(JSON.stringify({ networks, endpoints }, null, 2));
    if (endpoints.length > 0) {
      say(
        `hns-check: ${endpoints.length} endpoint(s) of ours left: ${endpoints.map((e) => get(e, 'Name')).join(', ')}`,
      );
      return 1;
    }
    if (opts.remove) {
      for (const n of networks) await view.deleteNetwork(get(n, 'ID'));
      const left = (await view.objects()).networks.filter((n) => get(n, 'Name') === opts.network);
      if (left.length > 0) {
        say(`hns-check: network ${opts.network} is still there after its removal`);
        return 1;
      }
      say(`hns-check: removed network ${opts.network} (${networks.length})`);
    }
    say(`hns-check: nothing of ours left on ${opts.network}${opts.container ? ` or named ${opts.container}` : ''}`);
    return 0;
  } finally {
    view.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    fs.writeSync(2, `hns-check: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
