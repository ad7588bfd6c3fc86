/**
 * What both process entries do: `--version` (or no CNI_COMMAND) prints the about text as a
 * command-line user expects; a command on the command line (`install`, `doctor`, `--help`, ...) is the
 * operator tool, loaded only then; no arguments is the CNI protocol with the entry point's deps.
 */
import { runPlugin } from '../spec/skel';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import { ABOUT } from './about';
import type { HnsChoice } from './deps';
import type { DepsFactory } from './plugin';

export function runNat(deps: DepsFactory, cliHns: () => HnsChoice): void {
  const args = process.argv.slice(2);
  if (args.includes('--version') || args.includes('-v')) {
    writeAllSync(1, `${ABOUT}\nCNI protocol versions supported: ${ALL_VERSIONS.join(', ')}\n`);
  } else if (args.length > 0) {
    // A lazy require: esbuild keeps it a function call, so a CNI invocation never loads the operator code.
    process.exitCode = (require('./cli') as typeof import('./cli')).runCli(args, cliHns);
  } else if (!process.env.CNI_COMMAND || process.env.CNI_COMMAND === 'VERSION') {
    // Answered by skel from the about text and the versions alone: the plugin is not even loaded,
    // so a VERSION probe costs little more than Node's own start (`make bench`).
    void runPlugin({ about: ABOUT, supportedVersions: ALL_VERSIONS });
  } else {
    // Lazy, like the operator code: esbuild then initialises the plugin's modules only here.
    void runPlugin((require('./plugin') as typeof import('./plugin')).natPlugin(deps));
  }
}
