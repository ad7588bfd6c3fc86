/**
 * The process entry of the nat plugin (dist/nat, and nat.exe). `--version` (or no CNI_COMMAND) prints
 * the about text as a command-line user expects; a command on the command line (`install`, `doctor`,
 * `--help`, ...) is the operator tool, loaded only then; no arguments is the CNI protocol.
 */
import { runPlugin } from '../spec/skel';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import { ABOUT, natPlugin } from './plugin';

const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  writeAllSync(1, `${ABOUT}\nCNI protocol versions supported: ${ALL_VERSIONS.join(', ')}\n`);
} else if (args.length > 0) {
  process.exitCode = (require('./cli') as typeof import('./cli')).runCli(args);
} else {
  void runPlugin(natPlugin());
}
