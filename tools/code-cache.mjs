// Write V8's code cache of a core bundle (plugin/start.ts): node tools/code-cache.mjs CORE OUT.
// Run by the same Node that will run the core (dist/nat: the build's node; nat.exe: its node.exe under
// Wine, tools/exe/build.sh), since V8 refuses a cache from another version or flag set. The parameter
// list must be the one plugin/start.ts compiles the core with: V8 refuses a cache of another function.
import fs from 'node:fs';
import vm from 'node:vm';

const [core, out] = process.argv.slice(2);
if (!core || !out) throw new Error('usage: code-cache.mjs CORE OUT');
const run = vm.compileFunction(
  fs.readFileSync(core, 'utf8'),
  ['exports', 'require', 'module', '__filename', '__dirname'],
  {
    filename: core,
    produceCachedData: true,
  },
);
if (!run.cachedData) throw new Error(`V8 made no code cache of ${core}`);
fs.writeFileSync(out, run.cachedData);
