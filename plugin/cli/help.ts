/** The help texts, in the shape of a Windows command-line tool's: usage, description, options, examples. */
import { ABOUT } from '../plugin';
import type { OptionSpec } from './args';
import { DOCTOR_OPTIONS } from './doctor';
import { INSTALL_OPTIONS } from './install';
import { UNINSTALL_OPTIONS } from './uninstall';

interface CommandHelp {
  summary: string;
  description: string;
  options: OptionSpec[];
  examples: string[];
}

export const COMMANDS: Record<string, CommandHelp> = {
  install: {
    summary: 'Install nat.exe and a NAT network configuration for containerd or nerdctl',
    description:
      'Copies this nat.exe into the CNI binary folder (an existing different nat.exe, such as the Go plugin, is kept as\n' +
      'nat.exe.go) and writes a network configuration list with port-mapping and DNS capabilities and a subnet that fits\n' +
      "this host: the existing HNS network's own, or a private range no adapter, route or HNS network uses. Running it\n" +
      'again changes nothing. A different existing configuration is replaced only with --force, and kept as a backup.',
    options: INSTALL_OPTIONS,
    examples: [
      'nat.exe install',
      'nat.exe install --dry-run',
      'nat.exe install --runtime nerdctl --subnet 172.28.0.0/20',
    ],
  },
  uninstall: {
    summary: 'Undo what nat.exe install did',
    description:
      'Removes the files install wrote, puts back the files it moved aside (such as nat.exe.go) and removes the folders it\n' +
      'created when they are empty, as its install record (nat-cni-install.json beside nat.exe) says. A file changed\n' +
      'since install is left in place.',
    options: UNINSTALL_OPTIONS,
    examples: ['nat.exe uninstall', 'nat.exe uninstall --dry-run'],
  },
  doctor: {
    summary: 'Check the host: HNS, the CNI folders, the network configurations, leaked endpoints, the log',
    description:
      'One line per check, with what is wrong and the command that fixes it. Exit code 0 when there is no problem,\n' +
      '1 otherwise. --fix removes the leaked endpoints it lists.',
    options: DOCTOR_OPTIONS,
    examples: ['nat.exe doctor', 'nat.exe doctor --fix', 'nat.exe doctor --json'],
  },
};

const optionLines = (options: readonly OptionSpec[]): string[] => {
  const rows: [string, string][] = [
    ...options.map((o): [string, string] => [`  --${o.name}${o.value ? ` ${o.value}` : ''}`, o.help]),
    ['  -h, --help, /?', 'show this help'],
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => `${l.padEnd(width)}${h}`);
};

export function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length)) + 4;
  return [
    ABOUT,
    '',
    'Usage:',
    '  nat.exe <command> [options]',
    '  nat.exe                        with CNI_COMMAND set: the CNI plugin, as containerd and nerdctl run it',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${(COMMANDS[n] as CommandHelp).summary}`),
    '',
    'Options:',
    "  -h, --help, /?     Show this help (nat.exe <command> --help: that command's)",
    '  -v, --version      Show the version and the CNI versions supported',
    '',
    'Start with: nat.exe install, then restart containerd; nat.exe doctor when a container has no network.',
    '',
  ].join('\n');
}

export function commandHelp(command: string): string {
  const c = COMMANDS[command];
  if (c === undefined) return mainHelp();
  return [
    `nat.exe ${command}: ${c.summary}`,
    '',
    'Usage:',
    `  nat.exe ${command} [options]`,
    '',
    c.description,
    '',
    'Options:',
    ...optionLines(c.options),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}
