/**
 * The first code of dist/nat and nat.exe (plugin/start-dist.ts, start-windows.ts). It answers
 * `--version` and the CNI VERSION probe itself (plugin/probe.ts); for every other call it compiles and
 * runs the core, the bundle of the process entry (plugin/main.ts for dist/nat, main-windows.ts for
 * nat.exe), which the start-up script carries as data rather than as code.
 *
 * Why as data: V8 compiles a script as a whole before its first statement runs, even the functions
 * it only pre-parses, and the core is about 680 KB. That compile was most of what VERSION cost over
 * `node -e 0` (README "Performance"); a VERSION probe now compiles only this file's small bundle.
 */
import { CniCode, CniError, errorObject, printJson } from '../spec/errors';
import { log } from '../spec/log';
import { writeAllSync } from '../spec/stdin';
import { newestVersion } from '../spec/version';
import { ALL_VERSIONS } from '../spec/versions';
import { answerProbe } from './probe';

/** The core's text, the name its stack frames carry, and V8's code cache of it if the build made one. */
export interface CoreSource {
  code: string;
  filename: string;
  cache?: Buffer | undefined;
}

/** The core's parameters, a CommonJS module body's; tools/code-cache.mjs compiles with the same. */
const CORE_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

export async function start(core: () => CoreSource): Promise<void> {
  if (await answerProbe(process.argv.slice(2))) return;
  let run: ReturnType<typeof import('node:vm').compileFunction>;
  try {
    const { code, filename, cache } = core();
    // node:vm is required here: VERSION does without it (it is not among the modules Node starts with).
    const vm = require('node:vm') as typeof import('node:vm');
    // With the cache V8 deserialises the compiled core instead of compiling it (about 10 ms less for
    // every call that runs it, `make bench`); a cache of another Node or flag set is refused by V8,
    // which then compiles from the text as if there were none.
    run = vm.compileFunction(code, CORE_PARAMS, { filename, cachedData: cache });
    if (cache) log('core code cache %s', run.cachedDataRejected ? 'refused by V8: compiled from source' : 'used');
  } catch (e) {
    // A damaged build: still one CNI error object, not a stack trace the runtime cannot read.
    const why = `nat-cni cannot load its own code: ${e instanceof Error ? e.message : String(e)}`;
    writeAllSync(1, printJson(errorObject(new CniError(CniCode.Internal, why), newestVersion(ALL_VERSIONS))));
    process.exitCode = 1;
    return;
  }
  // The core is a CommonJS bundle: it runs as a module body would, with this script's require (so it
  // resolves what this script would: koffi beside dist/nat, built-in modules only inside nat.exe).
  Reflect.apply(run, module.exports, [module.exports, require, module, __filename, __dirname]);
}
