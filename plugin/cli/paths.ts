/**
 * Where things are on a Windows host, and how the operator's flags override it.
 *
 * Defaults (public sources):
 * - containerd's config: `%ProgramFiles%\containerd\config.toml` (containerd defaults/defaults_windows.go
 *   DefaultConfigDir = %ProgramFiles%\containerd).
 * - containerd CRI's CNI folders: `%ProgramFiles%\containerd\cni\bin` and `...\cni\conf` (containerd
 *   CRI config_windows.go), unless config.toml's cni table names others (./containerd-toml.ts).
 * - nerdctl: `--cni-path` defaults to `%ProgramFiles%\containerd\cni\bin` and `--cni-netconfpath` to
 *   `%ProgramFiles%\containerd\cni\conf` (nerdctl pkg/defaults/defaults_windows.go CNIPath,
 *   CNINetConfPath): the same folders as containerd's.
 * Off Windows there are no defaults: the folders must be given (the tests do).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, type OptionSpec } from './args';
import { cniDirsFromToml } from './containerd-toml';

export const RUNTIMES = ['containerd', 'nerdctl'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface HostPaths {
  binDir: string;
  confDir: string;
  /** Where each folder came from: `--bin-dir`, `config.toml [table]`, `default`. */
  binFrom: string;
  confFrom: string;
  configToml: string | undefined;
}

export interface PathFlags {
  binDir?: string | undefined;
  confDir?: string | undefined;
  configToml?: string | undefined;
}

/** The values of FOLDER_OPTIONS on a parsed command line. */
export const folderFlags = (values: ReadonlyMap<string, string>): PathFlags => ({
  binDir: values.get('bin-dir'),
  confDir: values.get('conf-dir'),
  configToml: values.get('config-toml'),
});

function envOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

export const programFiles = (env: NodeJS.ProcessEnv): string => envOf(env, 'ProgramFiles') || 'C:\\Program Files';

export function resolvePaths(
  command: string,
  runtime: Runtime,
  flags: PathFlags,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): HostPaths {
  const win = platform === 'win32';
  const base = win ? path.win32.join(programFiles(env), 'containerd') : undefined;
  const configToml =
    flags.configToml ?? (base && runtime === 'containerd' ? path.win32.join(base, 'config.toml') : undefined);
  let fromToml: ReturnType<typeof cniDirsFromToml> = {};
  if (configToml !== undefined && runtime === 'containerd') {
    try {
      fromToml = cniDirsFromToml(fs.readFileSync(configToml, 'utf8'));
    } catch (e) {
      if (flags.configToml !== undefined)
        throw new UsageError(`nat.exe ${command}: cannot read --config-toml ${configToml}: ${(e as Error).message}`);
    }
  }
  const pick = (
    flag: string | undefined,
    flagName: string,
    toml: string | undefined,
    leaf: string,
  ): [string, string] => {
    if (flag !== undefined) return [flag, `--${flagName}`];
    if (toml !== undefined) return [toml, `${configToml} ${fromToml.table ?? ''}`.trim()];
    if (base !== undefined) return [path.win32.join(base, 'cni', leaf), 'default'];
    throw new UsageError(`nat.exe ${command}: --${flagName} is required off Windows (there is no default folder)`);
  };
  const [binDir, binFrom] = pick(flags.binDir, 'bin-dir', fromToml.binDir, 'bin');
  const [confDir, confFrom] = pick(flags.confDir, 'conf-dir', fromToml.confDir, 'conf');
  return { binDir, confDir, binFrom, confFrom, configToml };
}

/** The folder flags install and doctor share (the runtime's folders, found as resolvePaths says). */
export const FOLDER_OPTIONS: OptionSpec[] = [
  {
    name: 'bin-dir',
    value: 'DIR',
    help: 'the CNI binary folder (default: from config.toml, else C:\\Program Files\\containerd\\cni\\bin)',
  },
  {
    name: 'conf-dir',
    value: 'DIR',
    help: 'the CNI configuration folder (default: from config.toml, else C:\\Program Files\\containerd\\cni\\conf)',
  },
  {
    name: 'config-toml',
    value: 'FILE',
    help: "containerd's config (default C:\\Program Files\\containerd\\config.toml)",
  },
];
