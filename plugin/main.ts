/**
 * The process entry of the nat plugin (dist/nat, and nat.exe). `--version` (or no CNI_COMMAND) prints
 * the about text as a command-line user expects; everything else is the CNI protocol.
 */
import { runPlugin } from '../spec/skel';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import { ABOUT, natPlugin } from './plugin';

if (process.argv.includes('--version') || process.argv.includes('-v')) {
  writeAllSync(1, `${ABOUT}\nCNI protocol versions supported: ${ALL_VERSIONS.join(', ')}\n`);
} else {
  void runPlugin(natPlugin());
}
