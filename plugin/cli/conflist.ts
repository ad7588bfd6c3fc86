/**
 * Network configuration files as CNI runtimes read them (libcni ConfFiles / ConfListFromFile): the
 * files of the conf folder ending in .conf, .conflist or .json, in lexical order (containerd's CRI
 * loads the first one, `max_conf_num = 1`); a .conf is one plugin, a .conflist a list; each plugin
 * gets the list's `name` and `cniVersion` when it is invoked. And the conflist install writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getKey } from '../../spec/keys';
import type { Runtime } from './paths';

export type Raw = Record<string, unknown>;

export interface ConfFile {
  file: string;
  path: string;
  /** The list as libcni sees it, when the file parses. */
  list?: { name: string | undefined; cniVersion: string | undefined; plugins: Raw[] };
  error?: string;
}

export const CONF_EXTENSIONS = ['.conf', '.conflist', '.json'];
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseConfText(file: string, text: string): Pick<ConfFile, 'list' | 'error'> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isObject(doc)) return { error: 'not a JSON object' };
  const name = str(getKey(doc, 'name'));
  const cniVersion = str(getKey(doc, 'cniVersion'));
  if (file.endsWith('.conflist')) {
    const plugins = getKey(doc, 'plugins');
    if (!Array.isArray(plugins) || plugins.length === 0)
      return { error: 'a .conflist needs a non-empty "plugins" list' };
    if (!plugins.every(isObject)) return { error: '"plugins" must hold objects' };
    return { list: { name, cniVersion, plugins } };
  }
  return { list: { name, cniVersion, plugins: [doc] } };
}

export function readConfFolder(dir: string): ConfFile[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => CONF_EXTENSIONS.includes(path.extname(f)))
    .sort();
  return files.map((file) => {
    const full = path.join(dir, file);
    try {
      return { file, path: full, ...parseConfText(file, fs.readFileSync(full, 'utf8')) };
    } catch (e) {
      return { file, path: full, error: `cannot read it: ${(e as Error).message}` };
    }
  });
}

/** What the runtime hands one plugin of the list (libcni injects name and cniVersion). */
export const pluginConfig = (list: NonNullable<ConfFile['list']>, plugin: Raw): Raw => ({
  ...plugin,
  name: list.name,
  cniVersion: list.cniVersion,
});

export const typeOf = (plugin: Raw): string => str(getKey(plugin, 'type')) ?? '';
export const isNatPlugin = (plugin: Raw): boolean => typeOf(plugin).toLowerCase() === 'nat';

/** The file install writes: containerd's own installers' name, or the file nerdctl writes for a network. */
export const confFileName = (runtime: Runtime, network: string): string =>
  runtime === 'nerdctl' ? `nerdctl-${network}.conflist` : `0-containerd-${network}.conflist`;

export interface NatConflistOptions {
  runtime: Runtime;
  name: string;
  cniVersion: string;
  subnet: string;
  gateway: string;
}

/**
 * The conflist install writes. `capabilities` makes the runtime pass `-p` port mappings and DNS as
 * runtimeConfig; nerdctl's own default network has none, so its `-p` is dropped (nerdctl#5157).
 * For nerdctl, `nerdctlID` (sha256 of the name, as nerdctl computes it) and, for its default network
 * `nat`, the default-network label, as nerdctl's generateNetworkConfig writes them.
 */
export function natConflist(o: NatConflistOptions): Raw {
  const nerdctl: Raw =
    o.runtime === 'nerdctl'
      ? {
          nerdctlID: crypto.createHash('sha256').update(o.name).digest('hex'),
          ...(o.name === 'nat' ? { nerdctlLabels: { 'nerdctl/default-network': 'true' } } : {}),
        }
      : {};
  return {
    cniVersion: o.cniVersion,
    name: o.name,
    ...nerdctl,
    plugins: [
      {
        type: 'nat',
        ipam: { subnet: o.subnet, routes: [{ gateway: o.gateway }] },
        capabilities: { portMappings: true, dns: true },
      },
    ],
  };
}

export const formatConf = (doc: Raw): string => `${JSON.stringify(doc, null, 2)}\n`;
