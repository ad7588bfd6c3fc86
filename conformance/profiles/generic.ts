/**
 * The generic profile: what applies to any plugin. By default the configuration is the shape of an
 * IPAM plugin such as host-local (`ipam.subnet`, `ipam.dataDir`); `--config FILE` replaces it with a
 * template. The plugin's state is whatever it writes under the private folder given as `dataDir`
 * (`${STATE_DIR}` in a template): an attachment's footprint is every file there that names the
 * container id, which is how host-local records reservations (inferred from its files, not documented).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listStateFiles } from './files';
import type { Container, InvalidConfig, JsonObject, ProfileSession, Runner } from './types';

export interface GenericOptions {
  plugin: string;
  /** A JSON template; `cniVersion` and `name` are set by the suite, `${STATE_DIR}` is replaced. */
  configTemplate?: string;
}

/** A stable /16 per network name, so that networks never share a range. */
function subnetFor(network: string): string {
  const h = crypto.createHash('sha256').update(network).digest();
  return `10.${((h[0] ?? 0) % 250) + 1}.0.0/16`;
}

export async function openGenericProfile(opts: GenericOptions): Promise<ProfileSession> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cni-conformance-generic-'));
  const type = path.basename(opts.plugin);
  const template = opts.configTemplate
    ? (JSON.parse(fs.readFileSync(opts.configTemplate, 'utf8').split('${STATE_DIR}').join(stateDir)) as JsonObject)
    : undefined;
  const hostLocalStyle = template === undefined;
  const ipamType = (t: JsonObject | undefined): unknown =>
    t && typeof t.ipam === 'object' && t.ipam ? (t.ipam as JsonObject).type : undefined;
  const kind = hostLocalStyle || ipamType(template) === template?.type ? 'ipam' : 'interface';
  let counter = 0;

  const config = (version: string, network: string): JsonObject => {
    if (template) return { ...structuredClone(template), cniVersion: version, name: network };
    return {
      cniVersion: version,
      name: network,
      type,
      ipam: { type, subnet: subnetFor(network), dataDir: stateDir, routes: [{ dst: '0.0.0.0/0' }] },
    };
  };

  const footprint = async (c: Container): Promise<string[]> =>
    listStateFiles(stateDir)
      .filter((f) => f.content.includes(c.containerId) || f.rel.includes(c.containerId))
      .map((f) => `${f.rel}: ${JSON.stringify(f.content)}`);

  const session: ProfileSession = {
    profile: 'generic',
    kind,
    env: {},
    observes: true,
    config,
    async newContainer(tag) {
      counter += 1;
      const id = `${tag.replace(/[^A-Za-z0-9_.-]/g, '-')}-${counter}-${crypto.randomBytes(4).toString('hex')}`.replace(
        /^[^A-Za-z0-9]/,
        'c',
      );
      // For a plugin that does not enter namespaces any non-empty value is the container's handle.
      return { containerId: id, netns: `/var/run/netns/cni-conformance-${id}` };
    },
    async goneNetns() {
      return `/var/run/netns/cni-conformance-gone-${crypto.randomBytes(4).toString('hex')}`;
    },
    footprint,
    async snapshot() {
      return JSON.stringify(listStateFiles(stateDir));
    },
    async removeOutOfBand(c) {
      for (const f of listStateFiles(stateDir)) {
        if (f.content.includes(c.containerId) || f.rel.includes(c.containerId))
          fs.rmSync(path.join(stateDir, f.rel), { force: true });
      }
    },
    provokeAddFailure: hostLocalStyle
      ? async (version: string, network: string, c: Container, run: Runner) => {
          // A range of one address, taken by another container: the allocation itself fails.
          const base = config(version, network);
          const ipam = base.ipam as JsonObject;
          const first = String(ipam.subnet).replace(/\.0\.0\/16$/, '.0.10');
          const cfg = { ...base, ipam: { ...ipam, rangeStart: first, rangeEnd: first } };
          const blocker = await session.newContainer('blocker');
          const inv = await run('ADD', JSON.stringify(cfg), blocker);
          if (inv.exitCode !== 0) throw new Error(`could not occupy the only address: ${inv.stdout}`);
          void c;
          return {
            config: cfg,
            async undo() {
              await run('DEL', JSON.stringify(cfg), blocker);
            },
          };
        }
      : undefined,
    invalidConfigs(version, network): InvalidConfig[] {
      if (!hostLocalStyle) return [];
      const base = config(version, network);
      const ipam = base.ipam as JsonObject;
      const rule = { strict: [7, 6] as const, compat: [7, 6, '>=100'] as const };
      return [
        { label: 'subnet 10.0.0.0/33', config: { ...base, ipam: { ...ipam, subnet: '10.0.0.0/33' } }, codes: rule },
        { label: '"ipam": 5', config: { ...base, ipam: 5 }, codes: rule },
        { label: 'subnet "banana"', config: { ...base, ipam: { ...ipam, subnet: 'banana' } }, codes: rule },
      ];
    },
    describe: () => `generic profile, plugin type "${type}", ${kind} plugin, state in ${stateDir}`,
    async close() {
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return session;
}
