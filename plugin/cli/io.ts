/** What a command talks to: its output lines, the environment and the platform (tests run them in-process too). */
import { writeAllSync } from '../../spec/stdin';
import type { HnsChoice } from '../deps';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Print a command's help; returns the exit code 0. */
  help(command: string): number;
  /** HNS as the entry point chose it; asked for only when a command needs it (a bad choice is then a check that fails). */
  hns(): HnsChoice;
}

/** The process's own: fs.writeSync through writeAllSync, as the plugin writes (streams break on Wine's pipes). */
export function processIo(help: (command: string) => string, hns: () => HnsChoice): Io {
  return {
    out: (line) => writeAllSync(1, `${line}\n`),
    err: (line) => writeAllSync(2, `${line}\n`),
    env: process.env,
    platform: process.platform,
    help: (command) => {
      writeAllSync(1, help(command));
      return 0;
    },
    hns,
  };
}
