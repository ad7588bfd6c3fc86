/**
 * The two calls answered from the about text and the version list alone: `--version` (`-v`), and the
 * CNI VERSION probe (or no CNI_COMMAND: the about text, as Go's skel prints it) through spec/probe.ts.
 * Every runtime sends VERSION before it trusts a plugin, and it is the cheapest call there is, so the
 * start-up code (plugin/start.ts) answers it before any other code of the plugin is even compiled, and
 * without skel's dispatcher (`make bench`).
 */
import { aboutText, runProbe } from '../spec/probe';
import { writeAllSync } from '../spec/stdin';
import { ALL_VERSIONS } from '../spec/versions';
import { ABOUT } from './about';

const NAT = { about: ABOUT, supportedVersions: ALL_VERSIONS };

/** Answers the call if it is one of the two; false when the rest of the plugin is needed. */
export async function answerProbe(args: readonly string[]): Promise<boolean> {
  if (args.includes('--version') || args.includes('-v')) {
    writeAllSync(1, aboutText(NAT));
    return true;
  }
  return args.length === 0 && (await runProbe(NAT));
}
