/**
 * The operator commands' command line: `nat.exe <command> [--flag value | --flag=value | --switch]`.
 * Each command declares its options; anything else is a usage error (exit code 2, as getopt-style
 * tools and the Windows tools that follow them use for a bad command line).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** `--name` without the dashes. */
  name: string;
  /** A value the option takes (shown in help), or undefined for a switch. */
  value?: string;
  help: string;
}

export type ParsedOptions = { values: Map<string, string>; switches: Set<string>; help: boolean };

const HELP_WORDS = new Set(['--help', '-h', '/?', '-?']);
export const isHelpWord = (arg: string): boolean => HELP_WORDS.has(arg);

export function parseOptions(command: string, args: readonly string[], specs: readonly OptionSpec[]): ParsedOptions {
  const out: ParsedOptions = { values: new Map(), switches: new Set(), help: false };
  const hint = `see nat.exe ${command} --help`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (isHelpWord(arg)) {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`nat.exe ${command}: unexpected argument "${arg}" (${hint})`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) throw new UsageError(`nat.exe ${command}: unknown option --${name} (${hint})`);
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`nat.exe ${command}: --${name} takes no value (${hint})`);
      out.switches.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '')
      throw new UsageError(`nat.exe ${command}: --${name} needs a value: --${name} ${spec.value}`);
    if (out.values.has(name)) throw new UsageError(`nat.exe ${command}: --${name} is given twice`);
    out.values.set(name, value);
  }
  return out;
}

/** A value that must be one of a few words. */
export function oneOf<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const hit = allowed.find((a) => a === value.toLowerCase());
  if (hit === undefined)
    throw new UsageError(`nat.exe ${command}: --${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return hit;
}
