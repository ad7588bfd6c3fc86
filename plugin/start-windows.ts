/**
 * nat.exe's start-up script, the SEA's main (plugin/start.ts). The core (plugin/main-windows.ts's
 * bundle) and V8's code cache of it, made by the same node.exe under Wine, are the SEA assets
 * `core.js` and `core.cache` (tools/exe/build.sh), read from the executable's image only for the
 * calls that need them.
 */
import { getAsset } from 'node:sea';
import { start } from './start';

const cache = (): Buffer | undefined => {
  try {
    return Buffer.from(getAsset('core.cache'));
  } catch {
    return undefined; // built with NAT_EXE_CORE_CACHE=0
  }
};

void start(() => ({ code: getAsset('core.js', 'utf8'), filename: 'nat.exe (core)', cache: cache() }));
