/**
 * What both process entries do: `--version` (or no CNI_COMMAND) prints the about text as a
 * command-line user expects; a command on the command line (`install`, `doctor`, `--help`, ...) is the
 * operator tool, loaded only then; no arguments is the CNI protocol with the entry point's deps.
 */
import { runPlugin } from '../spec/skel';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import type { HnsChoice } from './deps';
import { ABOUT, natPlugin, type DepsFactory } from './plugin';

export function runNat(deps: DepsFactory, cliHns: () => HnsChoice): void {
  const args = process.argv.slice(2);
  if (args.includes('--version') || args.includes('-v')) {
    writeAllSync(1, `${ABOUT}\nCNI protocol versions supported: ${ALL_VERSIONS.join(', ')}\n`);
  } else if (args.length > 0) {
    // A lazy require: esbuild keeps it a function call, so a CNI invocation never loads the operator code.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the operator code only for operator commands
    process.exitCode = (require('./cli') as typeof import('./cli')).runCli(args, cliHns);
  } else {
    void runPlugin(natPlugin(deps));
  }
}
