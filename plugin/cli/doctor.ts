/**
 * `nat.exe doctor`: checks the host the way the plugin will meet it, one line per check, and says
 * what fixes each problem. Exit code 0 when nothing is wrong, 1 otherwise. `--fix` removes the
 * leaked endpoints it shows (under the plugin's own network lock, re-checked there).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HcnApi } from '../../hns/api';
import {
  deleteEndpoint,
  endpointNamespace,
  featuresOf,
  findNetworkByName,
  getHnsVersion,
  getNamespace,
  listEndpointsOfNetwork,
} from '../../hns/client';
import type { HostComputeEndpoint } from '../../hns/schema';
import { missingFeatures } from '../features';
import { subnetMismatches, subnetsOfNetwork } from '../hnsrequests';
import { withNetworkLock } from '../lock';
import { defaultLogPath } from '../log';
import { isPluginEndpointName } from '../netns';
import { oneOf, parseOptions, type OptionSpec } from './args';
import { judgeConfFolder } from './doctor-configs';
import { isElevated } from './elevated';
import { folderProtection } from './folders';
import { errorText } from './text';
import { adapterNames } from './hostnet';
import type { Io } from './io';
import { FOLDER_OPTIONS, folderFlags, resolvePaths, RUNTIMES, type HostPaths } from './paths';
import { readRecord } from './record';
import { checksJson, formatChecks, isProblem, type Check } from './report';
import { fileHash, pluginFileName, selfPath } from './self';

export const DOCTOR_OPTIONS: OptionSpec[] = [
  { name: 'runtime', value: 'containerd|nerdctl', help: 'whose folders to check (default containerd)' },
  ...FOLDER_OPTIONS,
  {
    name: 'log-file',
    value: 'FILE',
    help: 'the plugin log (default: NAT_CNI_LOG, else %ProgramData%\\nat-cni\\nat.log)',
  },
  { name: 'fix', help: 'remove the leaked endpoints found (after listing them)' },
  { name: 'json', help: 'print the checks as JSON' },
  { name: 'ascii', help: 'marks as words ([ OK ], [FAIL]) instead of symbols (the default on Windows)' },
];

function checkElevated(io: Io): Check {
  if (io.platform !== 'win32')
    return { id: 'elevated', mark: 'skip', title: `elevated: not checked (not Windows: ${io.platform})`, details: [] };
  try {
    return isElevated()
      ? { id: 'elevated', mark: 'ok', title: 'running elevated (Administrators)', details: [] }
      : {
          id: 'elevated',
          mark: 'fail',
          title: 'not elevated: HNS, the CNI folders and the log need an administrator',
          details: [],
          fix: 'run nat.exe doctor from an elevated console ("Run as administrator")',
        };
  } catch (e) {
    return {
      id: 'elevated',
      mark: 'warn',
      title: `cannot tell whether this console is elevated: ${errorText(e)}`,
      details: [],
    };
  }
}

function checkFolders(paths: HostPaths, io: Io): Check[] {
  return [
    ['bin', paths.binDir, paths.binFrom],
    ['conf', paths.confDir, paths.confFrom],
  ].map(([which, dir, from]) => {
    const id = `folder:${which}`;
    if (!fs.existsSync(dir as string)) {
      return {
        id,
        mark: 'fail',
        title: `CNI ${which} folder ${dir} (${from}) does not exist`,
        details: [],
        fix: 'nat.exe install',
      };
    }
    const p = folderProtection(dir as string, io.platform);
    if (p.state === 'ok')
      return { id, mark: 'ok', title: `CNI ${which} folder ${dir} (${from}): administrators only`, details: [] };
    if (p.state === 'open') {
      return {
        id,
        mark: 'fail',
        title: `CNI ${which} folder ${dir}: others can change it`,
        details: [p.why],
        fix: 'nat.exe install (protects the folders it uses)',
      };
    }
    return {
      id,
      mark: io.platform === 'win32' ? 'warn' : 'ok',
      title: `CNI ${which} folder ${dir} (${from}) exists`,
      details: [`protection not checked: ${p.why}`],
    };
  });
}

function checkBinary(paths: HostPaths, io: Io): Check {
  const file = path.join(paths.binDir, pluginFileName(io.platform));
  const hash = fileHash(file);
  if (hash === undefined) {
    return {
      id: 'binary',
      mark: 'fail',
      title: `no ${path.basename(file)} in ${paths.binDir}: the runtime cannot run the nat plugin`,
      details: [],
      fix: 'nat.exe install',
    };
  }
  if (hash === fileHash(selfPath())) return { id: 'binary', mark: 'ok', title: `${file} is this nat-cni`, details: [] };
  const recorded = readRecord(paths.binDir)?.files.find((f) => f.path === file);
  if (recorded && recorded.sha256 === hash) {
    return {
      id: 'binary',
      mark: 'info',
      title: `${file} is the nat-cni installed earlier (another build than this one)`,
      details: [],
    };
  }
  return {
    id: 'binary',
    mark: 'warn',
    title: `${file} is not this nat-cni (the Go plugin, or a file changed after install)`,
    details: recorded
      ? ['it changed after nat.exe install wrote it']
      : ['install puts this nat-cni in its place and keeps that file to go back to'],
    fix: `nat.exe install   (keeps the existing file as ${path.basename(file)}.go)`,
  };
}

/** Ours by name, and attached to no namespace or to one that is gone. */
function leakedEndpoints(api: HcnApi, network: string, networkId: string): HostComputeEndpoint[] {
  return listEndpointsOfNetwork(api, networkId).filter((ep) => {
    if (!ep.ID || !isPluginEndpointName(ep.Name, network)) return false;
    const ns = endpointNamespace(ep);
    return ns === undefined || getNamespace(api, ns) === undefined;
  });
}

function checkLog(file: string | undefined): Check {
  if (file === undefined) {
    return {
      id: 'log',
      mark: 'info',
      title: 'the plugin logs to standard error (NAT_CNI_LOG=- or not Windows); the runtime keeps it only on failures',
      details: [],
    };
  }
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const want = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(want);
      fs.readSync(fd, buf, 0, want, size - want);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { id: 'log', mark: 'info', title: `log ${file}: not written yet`, details: [] };
  }
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (r.level === 'error')
        errors.push(
          `${String(r.time)} ${String(r.msg)}${typeof r.error === 'string' ? `: ${r.error}` : r.error ? `: ${JSON.stringify(r.error)}` : ''}`,
        );
    } catch {
      // a line cut by the tail read, or not ours
    }
  }
  const last = errors.slice(-3);
  return {
    id: 'log',
    mark: 'info',
    title: `log ${file}: ${errors.length === 0 ? 'no errors in its last lines' : `${errors.length} error(s) in its last lines, the latest:`}`,
    details: last,
  };
}

export function runDoctor(args: string[], io: Io): number {
  const o = parseOptions('doctor', args, DOCTOR_OPTIONS);
  if (o.help) return io.help('doctor');
  const runtime = oneOf('doctor', 'runtime', o.values.get('runtime'), RUNTIMES) ?? 'containerd';
  const fix = o.switches.has('fix');
  const paths = resolvePaths('doctor', runtime, folderFlags(o.values), io.env, io.platform);
  const checks: Check[] = [checkElevated(io)];
  const fixed: string[] = [];

  let api: HcnApi | undefined;
  let version;
  let lockDir = '';
  try {
    const hns = io.hns();
    lockDir = hns.lockDir;
    api = hns.open();
    version = getHnsVersion(api);
    const have = featuresOf(version);
    const lacking = Object.entries(have)
      .filter(([, on]) => !on)
      .map(([f]) => f);
    checks.push({
      id: 'hns',
      mark: 'ok',
      title: `HNS answers: version ${version.Major}.${version.Minor}${lacking.length ? ` (without ${lacking.join(', ')})` : ' (every feature the plugin uses)'}`,
      details: [],
    });
  } catch (e) {
    api?.dispose();
    api = undefined;
    checks.push({
      id: 'hns',
      mark: 'fail',
      title: `HNS does not answer: ${errorText(e)}`,
      details: ['the Host Network Service runs with the Containers feature of Windows'],
      fix: 'Enable-WindowsOptionalFeature -Online -FeatureName Containers (then reboot); Start-Service hns',
    });
  }

  checks.push(...checkFolders(paths, io));
  if (fs.existsSync(paths.binDir)) checks.push(checkBinary(paths, io));
  const verdict = fs.existsSync(paths.confDir)
    ? judgeConfFolder(paths.confDir, runtime, adapterNames())
    : { checks: [], configs: [] };
  checks.push(...verdict.checks);

  const networks = [...new Map(verdict.configs.map((c) => [c.config.name, c])).values()];
  if (api !== undefined && version !== undefined) {
    for (const { file, config } of networks) {
      const id = `network:${config.name}`;
      const missing = missingFeatures(version, config);
      if (missing.length > 0) {
        checks.push({
          id: `features:${config.name}`,
          mark: 'fail',
          title: `${file}: this host's HNS cannot do what it asks (ADD fails with code 104)`,
          details: missing,
          fix: 'remove those settings, or update Windows',
        });
      }
      const net = findNetworkByName(api, config.name);
      if (!net?.ID) {
        checks.push({
          id,
          mark: 'ok',
          title: `HNS network "${config.name}" does not exist yet: the first container creates it from ${file}`,
          details: [],
        });
        continue;
      }
      if (net.Type !== 'NAT') {
        checks.push({
          id,
          mark: 'fail',
          title: `HNS network "${config.name}" has type ${net.Type}, not NAT: the plugin refuses to attach to it`,
          details: [],
          fix: `rename the network in ${file} (nat.exe install --force --name <other name>)`,
        });
        continue;
      }
      const problems = subnetMismatches(config, subnetsOfNetwork(net));
      checks.push(
        problems.length === 0
          ? {
              id,
              mark: 'ok',
              title: `HNS network "${config.name}" matches ${file} (${subnetsOfNetwork(net)
                .map((s) => `${s.prefix} gateway ${s.gateway ?? '-'}`)
                .join(', ')})`,
              details: [],
            }
          : {
              id,
              mark: 'warn',
              title: `HNS network "${config.name}" differs from ${file}`,
              details: [
                ...problems,
                "the plugin uses the network's own subnet and gateway, so the configuration misleads whoever reads it",
              ],
              fix: `nat.exe install --force${config.name === 'nat' ? '' : ` --name ${config.name}`}   (writes the network's own subnet and gateway)`,
            },
      );
      const leaked = leakedEndpoints(api, config.name, net.ID);
      if (leaked.length === 0) {
        checks.push({
          id: `endpoints:${config.name}`,
          mark: 'ok',
          title: `no leaked endpoints on "${config.name}"`,
          details: [],
        });
        continue;
      }
      const describe = (ep: HostComputeEndpoint) =>
        `${ep.Name} (${ep.ID}, ${ep.IpConfigurations.map((c) => c.IpAddress).join(', ') || 'no address'}): ${endpointNamespace(ep) ? `its namespace ${endpointNamespace(ep)} is gone` : 'attached to no namespace'}`;
      if (!fix) {
        checks.push({
          id: `endpoints:${config.name}`,
          mark: 'warn',
          title: `${leaked.length} leaked endpoint(s) on "${config.name}" (left by containers that are gone)`,
          details: leaked.map(describe),
          fix: 'nat.exe doctor --fix',
        });
        continue;
      }
      const hcn = api;
      const removed = withNetworkLock(config.name, { dir: lockDir, platform: io.platform }, () =>
        // Again under the lock: an ADD in progress attaches its endpoint under the same lock.
        leakedEndpoints(hcn, config.name, net.ID as string).filter((ep) => deleteEndpoint(hcn, ep.ID as string)),
      );
      fixed.push(...removed.map((ep) => `removed endpoint ${describe(ep)}`));
      checks.push({
        id: `endpoints:${config.name}`,
        mark: 'ok',
        title: `removed ${removed.length} leaked endpoint(s) on "${config.name}"`,
        details: removed.map(describe),
      });
    }
  }
  api?.dispose();

  const logFile =
    o.values.get('log-file') ??
    networks.find((n) => n.config.logFile)?.config.logFile ??
    defaultLogPath(io.env, io.platform);
  checks.push(checkLog(logFile));

  if (o.switches.has('json')) io.out(checksJson(checks, fixed));
  else {
    io.out('nat-cni doctor');
    for (const line of formatChecks(checks, o.switches.has('ascii') || io.platform === 'win32')) io.out(line);
  }
  return checks.some(isProblem) ? 1 : 0;
}
