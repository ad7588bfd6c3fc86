/**
 * dist/nat's start-up script (plugin/start.ts). The core (plugin/main.ts's bundle) and V8's code cache
 * of it are appended to this same file by the Makefile, in one trailing comment:
 * `/*nat-core:<base64 of the gzipped core>:<base64 of the cache>*\/`. So dist/nat stays one file (the
 * operator's `install` copies it, tests copy and link it), and V8 skims a short comment instead of
 * compiling the core. (Uncompressed, reading and skimming 900 KB of base64 was half of what VERSION
 * still cost over `node -e 0`.)
 */
import fs from 'node:fs';
import { start, type CoreSource } from './start';

// Required when the core is, not for VERSION: node:zlib is not among the modules Node starts with.
const gunzip = (b: Buffer): Buffer => (require('node:zlib') as typeof import('node:zlib')).gunzipSync(b);

/** The marker the Makefile writes before the core; the last one in the file is the real one. */
const MARK = '/*nat-core:';

function embeddedCore(file: string): CoreSource {
  const text = fs.readFileSync(file, 'latin1');
  const from = text.lastIndexOf(MARK);
  const to = text.lastIndexOf('*/');
  if (from < 0 || to < from) throw new Error(`${file} carries no core (it was not built by the Makefile)`);
  const [core = '', cache = ''] = text.slice(from + MARK.length, to).split(':');
  return {
    code: gunzip(Buffer.from(core, 'base64')).toString('utf8'),
    filename: `${file} (core)`,
    cache: cache === '' ? undefined : Buffer.from(cache, 'base64'),
  };
}

void start(() => embeddedCore(__filename));
