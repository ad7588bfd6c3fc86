/**
 * Doctor's verdict on the files of the CNI conf folder. The verdict is the plugin's: each nat plugin
 * config goes through the same version check and parseNatConfig that ADD runs, and its errors and
 * warnings are what doctor reports. On top, doctor explains known installer mistakes behind them and
 * the runtime-side omissions the plugin cannot see (capabilities, an adapter name that is not there).
 */
import { getKey } from '../../spec/keys';
import { decodeConfigVersion, checkVersionSupported } from '../../spec/version';
import { ALL_VERSIONS } from '../../spec/versions';
import { parseNatConfig, type NatConfig } from '../config';
import { parseCidr } from '../subnet';
import { isNatPlugin, pluginConfig, readConfFolder, typeOf, type ConfFile } from './conflist';
import type { Check } from './report';

export interface ConfigVerdict {
  checks: Check[];
  /** The nat configs that parse, by file, for the HNS checks. */
  configs: { file: string; config: NatConfig }[];
}

const cniErrorText = (e: unknown): string => {
  const err = e as { msg?: string; message?: string; details?: string };
  const msg = err.msg ?? err.message ?? String(e);
  return err.details ? `${msg} (${err.details})` : msg;
};

/**
 * The /12-for-a-/20 mistake of containerd's script/setup/install-cni-windows (nerdctl's
 * hack/provisioning/windows/cni.sh copies it): it writes the prefix as 32 minus the host network's
 * prefix length, so 172.20.48.0/20 becomes 172.20.48.0/12.
 */
function installerPrefixHint(rawSubnet: unknown): string | undefined {
  if (typeof rawSubnet !== 'string') return undefined;
  const cidr = parseCidr(rawSubnet);
  if (!cidr.ok || cidr.value.family !== 4 || !cidr.value.hadHostBits) return undefined;
  const meant = parseCidr(`${rawSubnet.split('/')[0] as string}/${32 - cidr.value.prefixLength}`);
  if (!meant.ok || meant.value.hadHostBits) return undefined;
  return (
    `${rawSubnet} looks like the mistake of containerd's install-cni-windows script, which writes /(32 - prefix length): ` +
    `the host network was most likely ${meant.value.prefix}; ${cidr.value.prefix} takes in far more addresses than the NAT network has`
  );
}

function judgeNatPlugin(
  file: ConfFile,
  plugin: Record<string, unknown>,
  adapters: readonly string[],
): { check: Check; config?: NatConfig } {
  const list = file.list as NonNullable<ConfFile['list']>;
  const raw = pluginConfig(list, plugin);
  const id = `config:${file.file}`;
  const name = list.name ?? '(no name)';
  const fix = `nat.exe install --force${list.name && list.name !== 'nat' ? ` --name ${list.name}` : ''}   (writes a correct file, keeps this one as ${file.file}.nat-cni-backup)`;
  const fails: string[] = [];
  const warns: string[] = [];
  try {
    checkVersionSupported(decodeConfigVersion(raw), ALL_VERSIONS);
  } catch (e) {
    fails.push(
      `cniVersion ${JSON.stringify(getKey(raw, 'cniVersion') ?? '')} is not a CNI spec version: ${cniErrorText(e)}`,
    );
  }
  let config: NatConfig | undefined;
  try {
    config = parseNatConfig(raw);
  } catch (e) {
    fails.push(`the plugin refuses it: ${cniErrorText(e)}`);
  }
  for (const w of config?.warnings ?? []) warns.push(`the plugin warns: ${w}`);
  const ipam = getKey(raw, 'ipam');
  const hint = installerPrefixHint(typeof ipam === 'object' && ipam !== null ? getKey(ipam, 'subnet') : undefined);
  if (hint) warns.push(hint);
  const caps = getKey(plugin, 'capabilities');
  const cap = (k: string) => typeof caps === 'object' && caps !== null && getKey(caps, k) === true;
  if (!cap('portMappings')) {
    warns.push(
      'no "capabilities": {"portMappings": true}: the runtime does not pass port mappings, so `-p 8080:80` is silently dropped (nerdctl#5157)',
    );
  }
  if (!cap('dns'))
    warns.push(
      'no "capabilities": {"dns": true}: the DNS settings of a pod (containerd CRI) are not passed to the plugin',
    );
  const master = config?.master;
  if (master !== undefined && !adapters.some((a) => a.toLowerCase() === master.toLowerCase())) {
    warns.push(
      `"master": "${master}" names no network adapter of this host (adapters: ${adapters.join(', ') || 'none'}); ` +
        'the plugin then creates the network without a host adapter and warns, as the Go plugin ignores master ' +
        '(with optionalFlags.errorOnMissingAdapter, ADD fails instead). A NAT network needs none: leave master out',
    );
  }
  const mark = fails.length > 0 ? 'fail' : warns.length > 0 ? 'warn' : 'ok';
  const title =
    mark === 'ok'
      ? `${file.file}: network "${name}" is valid (subnet ${config?.subnets.map((s) => `${s.prefix} gateway ${s.gateway}`).join(', ') || 'from IPAM'})`
      : `${file.file}: network "${name}" has ${fails.length + warns.length} problem(s)`;
  return {
    check: { id, mark, title, details: [...fails, ...warns], ...(mark === 'ok' ? {} : { fix }) },
    ...(config ? { config } : {}),
  };
}

export function judgeConfFolder(confDir: string, runtime: string, adapters: readonly string[]): ConfigVerdict {
  const files = readConfFolder(confDir);
  const checks: Check[] = [];
  const configs: ConfigVerdict['configs'] = [];
  if (files.length === 0) {
    return {
      checks: [
        {
          id: 'configs',
          mark: 'fail',
          title: `no network configuration in ${confDir}: containers get no network`,
          details: [],
          fix: 'nat.exe install',
        },
      ],
      configs,
    };
  }
  for (const f of files) {
    if (f.error !== undefined || f.list === undefined) {
      checks.push({
        id: `config:${f.file}`,
        mark: 'fail',
        title: `${f.file}: runtimes cannot load it`,
        details: [
          f.error ?? 'unreadable',
          'a broken file can keep the runtime from loading any network configuration of the folder',
        ],
        fix: `move it out of ${confDir}, then nat.exe install`,
      });
      continue;
    }
    const nat = f.list.plugins.filter(isNatPlugin);
    if (nat.length === 0) {
      checks.push({
        id: `config:${f.file}`,
        mark: 'skip',
        title: `${f.file}: type ${f.list.plugins.map(typeOf).join(', ')}, not nat: not checked`,
        details: [],
      });
      continue;
    }
    for (const p of nat) {
      const v = judgeNatPlugin(f, p, adapters);
      checks.push(v.check);
      if (v.config) configs.push({ file: f.file, config: v.config });
    }
  }
  if (runtime === 'containerd' && files.length > 1) {
    checks.push({
      id: 'configs:order',
      mark: 'info',
      title: `containerd's CRI uses only ${files[0]?.file} (the first file; max_conf_num = 1); nerdctl can use every network by name`,
      details: [],
    });
  }
  return { checks, configs };
}
