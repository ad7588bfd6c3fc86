/**
 * What both process entries do: `--version` (or no CNI_COMMAND) prints the about text as a
 * command-line user expects; a command on the command line (`install`, `doctor`, `--help`, ...) is the
 * operator tool, loaded only then; no arguments is the CNI protocol with the entry point's deps.
 */
import { runPlugin } from '../spec/skel';
import type { HnsChoice } from './deps';
import type { DepsFactory } from './plugin';
import { answerProbe } from './probe';

export async function runNat(deps: DepsFactory, cliHns: () => HnsChoice): Promise<void> {
  const args = process.argv.slice(2);
  if (await answerProbe(args)) return;
  if (args.length > 0) {
    // A lazy require: esbuild keeps it a function call, so a CNI invocation never loads the operator code.
    process.exitCode = (require('./cli') as typeof import('./cli')).runCli(args, cliHns);
  } else {
    // Lazy, like the operator code: esbuild then initialises the plugin's modules only here.
    void runPlugin((require('./plugin') as typeof import('./plugin')).natPlugin(deps));
  }
}
