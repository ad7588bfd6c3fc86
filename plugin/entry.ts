/**
 * What both process entries do: `--version` (or no CNI_COMMAND) prints the about text as a
 * command-line user expects; everything else is the CNI protocol with the entry point's deps.
 */
import { runPlugin } from '../spec/skel';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import { ABOUT, natPlugin, type DepsFactory } from './plugin';

export function runNat(deps: DepsFactory): void {
  if (process.argv.includes('--version') || process.argv.includes('-v')) {
    writeAllSync(1, `${ABOUT}\nCNI protocol versions supported: ${ALL_VERSIONS.join(', ')}\n`);
  } else {
    void runPlugin(natPlugin(deps));
  }
}
