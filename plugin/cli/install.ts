/**
 * `nat.exe install`: this executable into the CNI bin folder (an existing different nat.exe, such as
 * the Go plugin, kept as nat.exe.go) and a NAT conflist into the conf folder, with a subnet that is
 * right for this host. Every change is planned first, then printed (--dry-run) or made; an existing
 * configuration that is not ours is replaced only with --force, and moved aside, never deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findNetworkByName, listNetworks } from '../../hns/client';
import type { HostComputeNetwork } from '../../hns/schema';
import { checkVersionSupported } from '../../spec/version';
import { ALL_VERSIONS } from '../../spec/versions';
import { parseNatConfig } from '../config';
import { validateNetworkName } from '../../spec/names';
import { oneOf, parseOptions, UsageError, type OptionSpec } from './args';
import { confFileName, formatConf, natConflist, pluginConfig, readConfFolder } from './conflist';
import { ensureAdminOnlyFolder, missingFolders } from './folders';
import { errorText } from './text';
import { hostNetworks } from './hostnet';
import { FOLDER_OPTIONS, folderFlags, resolvePaths, RUNTIMES, type Runtime } from './paths';
import { chooseSubnet, SubnetError } from './pick-subnet';
import { formatRecord, readRecord, recordPath, type InstallRecord } from './record';
import { fileHash, pluginFileName, selfPath, sha256 } from './self';
import type { Io } from './io';

export const INSTALL_OPTIONS: OptionSpec[] = [
  { name: 'runtime', value: 'containerd|nerdctl', help: 'the runtime to configure (default containerd)' },
  { name: 'name', value: 'NAME', help: 'the network name (default nat)' },
  {
    name: 'subnet',
    value: 'CIDR',
    help: "the NAT subnet (default: the existing HNS network's, else a free private /20)",
  },
  { name: 'gateway', value: 'IP', help: 'the gateway (default: the first address of the subnet)' },
  { name: 'cni-version', value: '1.0.0|1.1.0', help: 'the cniVersion to write (default 1.0.0)' },
  ...FOLDER_OPTIONS,
  { name: 'force', help: 'replace a different existing configuration (the old file is kept as <file>.nat-cni-backup)' },
  { name: 'dry-run', help: 'print every file and change, write nothing' },
];

export const BACKUP_SUFFIX = '.nat-cni-backup';

type Action =
  | { kind: 'mkdir'; path: string }
  | { kind: 'move'; from: string; to: string; why: string }
  | { kind: 'write'; path: string; data: Buffer; mode?: number; what: string };

/** A free name for a backup of `file`. */
function backupName(file: string, suffix: string, taken: Set<string>): string {
  let name = `${file}${suffix}`;
  for (let i = 1; fs.existsSync(name) || taken.has(name); i++) name = `${file}${suffix}.${i}`;
  taken.add(name);
  return name;
}

export function runInstall(args: string[], io: Io): number {
  const o = parseOptions('install', args, INSTALL_OPTIONS);
  if (o.help) return io.help('install');
  const runtime: Runtime = oneOf('install', 'runtime', o.values.get('runtime'), RUNTIMES) ?? 'containerd';
  const cniVersion =
    oneOf('install', 'cni-version', o.values.get('cni-version'), ['1.0.0', '1.1.0'] as const) ?? '1.0.0';
  const name = o.values.get('name') ?? 'nat';
  // The name becomes a file name and the HNS network's: the spec's rule for network names keeps both sane.
  try {
    validateNetworkName(name);
  } catch {
    throw new UsageError(
      `nat.exe install: --name "${name}" is not a CNI network name (letters, digits, then also _ . -)`,
    );
  }
  const force = o.switches.has('force');
  const dryRun = o.switches.has('dry-run');
  const paths = resolvePaths('install', runtime, folderFlags(o.values), io.env, io.platform);
  const say = (line: string) => io.out(line);
  say(`nat-cni install${dryRun ? ' (dry run: nothing is written)' : ''}`);
  say(`  runtime      ${runtime}`);
  say(`  bin folder   ${paths.binDir} (${paths.binFrom})`);
  say(`  conf folder  ${paths.confDir} (${paths.confFrom})`);

  // The subnet: HNS decides when it has the network already.
  let existing: HostComputeNetwork | undefined;
  let hnsNetworks: HostComputeNetwork[] = [];
  try {
    const api = io.hns().open();
    try {
      hnsNetworks = listNetworks(api);
      existing = findNetworkByName(api, name);
    } finally {
      api.dispose();
    }
  } catch (e) {
    if (o.values.get('subnet') === undefined) {
      io.err(
        `nat.exe install: HNS cannot be asked for its networks (${errorText(e)}); give --subnet and --gateway to install without it`,
      );
      return 1;
    }
    say(`  warning      HNS cannot be asked for its networks (${errorText(e)}); using --subnet as given`);
  }
  if (existing && existing.Type !== 'NAT') {
    io.err(
      `nat.exe install: the HNS network "${name}" exists with type ${existing.Type}, not NAT; choose another --name`,
    );
    return 1;
  }
  let choice;
  try {
    const host = hostNetworks(io.platform, io.env);
    if (host.routesProblem && !existing)
      say(`  warning      ${host.routesProblem}; only adapters and HNS networks are avoided`);
    choice = chooseSubnet({
      name,
      subnet: o.values.get('subnet'),
      gateway: o.values.get('gateway'),
      existing,
      hnsNetworks,
      host,
    });
  } catch (e) {
    if (e instanceof SubnetError) {
      io.err(`nat.exe install: ${e.message}`);
      return 1;
    }
    throw e;
  }
  say(`  network      ${name}: subnet ${choice.subnet}, gateway ${choice.gateway} (${choice.why})`);

  // The configuration, judged by the plugin's own rules before it is written.
  const conf = natConflist({ runtime, name, cniVersion, subnet: choice.subnet, gateway: choice.gateway });
  checkVersionSupported(cniVersion, ALL_VERSIONS);
  const plugins = conf.plugins as Record<string, unknown>[];
  const parsed = parseNatConfig(pluginConfig({ name, cniVersion, plugins }, plugins[0] as Record<string, unknown>));
  if (parsed.warnings.length > 0)
    throw new Error(`internal: the written config would draw warnings: ${parsed.warnings.join('; ')}`);
  const confData = Buffer.from(formatConf(conf));

  const previous = readRecord(paths.binDir);
  const ours = (file: string, hash: string | undefined) =>
    previous?.files.some((f) => f.path === file && f.sha256 === hash) ?? false;
  const actions: Action[] = [];
  const conflicts: string[] = [];
  const notes: string[] = [];
  const taken = new Set<string>();
  const created = [...new Set([...missingFolders(paths.binDir), ...missingFolders(paths.confDir)])];
  for (const d of created) actions.push({ kind: 'mkdir', path: d });

  // The binary.
  const self = selfPath();
  const selfData = fs.readFileSync(self);
  const binTarget = path.join(paths.binDir, pluginFileName(io.platform));
  const binHash = fileHash(binTarget);
  const wrote: InstallRecord['files'] = [];
  const moved: InstallRecord['moved'] = [];
  if (binHash !== sha256(selfData)) {
    if (binHash !== undefined && !ours(binTarget, binHash)) {
      const keep = `${binTarget}.go`;
      if (fs.existsSync(keep)) {
        conflicts.push(`${binTarget} is another plugin and ${keep} exists already: move one of them away first`);
      } else {
        actions.push({
          kind: 'move',
          from: binTarget,
          to: keep,
          why: `the existing ${path.basename(binTarget)} is another plugin, e.g. the Go one: kept to go back to`,
        });
        moved.push({ from: binTarget, to: keep, sha256: binHash });
      }
    }
    actions.push({ kind: 'write', path: binTarget, data: selfData, mode: 0o755, what: `this nat-cni, from ${self}` });
    wrote.push({ path: binTarget, sha256: sha256(selfData) });
  } else if (ours(binTarget, binHash)) wrote.push({ path: binTarget, sha256: binHash });

  // The configuration, and any other file that defines the same network.
  const confTarget = path.join(paths.confDir, confFileName(runtime, name));
  const confHash = fileHash(confTarget);
  const displace = (file: string, hash: string, why: string) => {
    if (!force) {
      conflicts.push(`${file} ${why}`);
      return;
    }
    const to = backupName(file, BACKUP_SUFFIX, taken);
    actions.push({ kind: 'move', from: file, to, why: `${why}; --force: kept as ${path.basename(to)}` });
    moved.push({ from: file, to, sha256: hash });
  };
  if (confHash !== sha256(confData)) {
    if (confHash !== undefined && !ours(confTarget, confHash))
      displace(confTarget, confHash, 'exists with a different configuration');
    actions.push({ kind: 'write', path: confTarget, data: confData, what: `the network configuration "${name}"` });
    wrote.push({ path: confTarget, sha256: sha256(confData) });
  } else if (ours(confTarget, confHash)) wrote.push({ path: confTarget, sha256: confHash });
  if (fs.existsSync(paths.confDir)) {
    const files = readConfFolder(paths.confDir);
    for (const f of files) {
      if (f.path === confTarget) continue;
      const hash = fileHash(f.path) as string;
      if (f.list?.name === name && !ours(f.path, hash)) displace(f.path, hash, `also defines the network "${name}"`);
    }
    const first = files.find((f) => f.path !== confTarget && !(f.list?.name === name));
    if (runtime === 'containerd' && first && first.file < path.basename(confTarget)) {
      notes.push(
        `containerd's CRI loads only the first file of the conf folder (max_conf_num = 1): ${first.file} sorts before ours`,
      );
    }
  }

  if (conflicts.length > 0) {
    for (const c of conflicts) io.err(`nat.exe install: ${c}`);
    io.err(
      'nat.exe install: nothing was changed; run again with --force to replace (the old files are kept as <file>.nat-cni-backup)',
    );
    return 1;
  }
  const record: InstallRecord = {
    format: 1,
    runtime,
    network: name,
    folders: [...new Set([...(previous?.folders ?? []), ...created])],
    files: [...(previous?.files.filter((f) => !wrote.some((w) => w.path === f.path)) ?? []), ...wrote],
    moved: [...(previous?.moved ?? []), ...moved],
  };
  const recordData = Buffer.from(formatRecord(record));
  const changed = actions.length > 0;
  if (changed || fileHash(recordPath(paths.binDir)) !== sha256(recordData)) {
    actions.push({
      kind: 'write',
      path: recordPath(paths.binDir),
      data: recordData,
      what: 'the install record, for nat.exe uninstall',
    });
  }

  if (!changed) say('Nothing to change: nat-cni is installed with this configuration.');
  const verb = (done: string, todo: string) => (dryRun ? todo : done);
  for (const a of actions) {
    if (a.kind === 'mkdir') {
      if (!dryRun) ensureAdminOnlyFolder(a.path, io.platform);
      say(
        `${verb('created', 'would create')} folder ${a.path}${io.platform === 'win32' ? ' (SYSTEM and Administrators only)' : ''}`,
      );
    } else if (a.kind === 'move') {
      if (!dryRun) fs.renameSync(a.from, a.to);
      say(`${verb('moved', 'would move')} ${a.from} -> ${a.to} (${a.why})`);
    } else {
      if (!dryRun) {
        const tmp = `${a.path}.nat-cni-tmp`;
        fs.writeFileSync(tmp, a.data, { mode: a.mode ?? 0o644 });
        fs.renameSync(tmp, a.path);
      }
      say(`${verb('wrote', 'would write')} ${a.path} (${a.what})`);
      if (dryRun && a.path === confTarget) say(a.data.toString('utf8').replace(/^/gm, '    ').trimEnd());
    }
  }
  for (const n of notes) say(`note: ${n}`);
  if (changed) {
    say('');
    say(
      runtime === 'containerd'
        ? 'Next: restart containerd so that it reads the new configuration:'
        : 'Next: nerdctl reads the configuration on each run; containerd needs no restart for it.',
    );
    if (runtime === 'containerd') say('  Restart-Service containerd');
    say('Then try a container with a port mapping (and open http://<this host>:8080 from another machine):');
    say(
      `  nerdctl run -d -p 8080:80 ${name === 'nat' ? '' : `--net ${name} `}mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022`,
    );
    say('Check the host at any time with: nat.exe doctor');
  }
  return 0;
}
