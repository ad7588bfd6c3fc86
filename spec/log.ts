/**
 * The protocol layer's debug log (`DEBUG=nat-cni:spec`). It writes with `fs.writeSync(2)`, never
 * through process.stderr, for the same reason stdout is written that way (see stdin.ts).
 */
import { format } from 'node:util';
import createDebug from 'debug';
import { writeAllSync } from './stdin';

export const log = createDebug('nat-cni:spec');
log.log = (...args: unknown[]) => {
  try {
    writeAllSync(2, `${format(...args)}\n`);
  } catch {
    // A log line must never turn into a plugin failure.
  }
};
