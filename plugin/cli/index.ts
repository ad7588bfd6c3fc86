/**
 * The operator side of nat.exe: `install`, `uninstall`, `doctor`, `help`. plugin/main.ts loads this
 * module only when the command line names a command, so a CNI invocation never pays for it.
 */
import { isHelpWord, UsageError } from './args';
import { runDoctor } from './doctor';
import { commandHelp, COMMANDS, mainHelp } from './help';
import { runInstall } from './install';
import type { HnsChoice } from '../deps';
import { processIo, type Io } from './io';
import { runUninstall } from './uninstall';

/** Usage errors: exit code 2, as command-line tools use for a bad command line. */
export const USAGE_EXIT = 2;

const RUN: Record<string, (args: string[], io: Io) => number> = {
  install: runInstall,
  uninstall: runUninstall,
  doctor: runDoctor,
};

/** `hns`: the entry point's HNS choice, the one its CNI calls use. */
export function runCli(argv: readonly string[], hns: () => HnsChoice, io: Io = processIo(commandHelp, hns)): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || isHelpWord(command)) {
      io.out(mainHelp().trimEnd());
      return 0;
    }
    if (command === 'help') {
      const topic = rest[0];
      if (topic !== undefined && COMMANDS[topic] === undefined)
        throw new UsageError(
          `nat.exe help: unknown command "${topic}" (commands: ${Object.keys(COMMANDS).join(', ')})`,
        );
      io.out((topic === undefined ? mainHelp() : commandHelp(topic)).trimEnd());
      return 0;
    }
    const run = RUN[command];
    if (run === undefined) {
      const what = command.startsWith('-') || command.startsWith('/') ? 'option' : 'command';
      throw new UsageError(
        `nat.exe: unknown ${what} "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see nat.exe --help)`,
      );
    }
    return run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return USAGE_EXIT;
    }
    io.err(`nat.exe ${command ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
