/** Bundle a TS entry to a runnable script in a temporary folder (nothing generated in the repo). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hns-sim-bundle-'));

export function bundle(entry: string, name: string): string {
  const outfile = path.join(dir, name);
  buildSync({
    entryPoints: [path.resolve(__dirname, '../../..', entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' },
    outfile,
  });
  fs.chmodSync(outfile, 0o755);
  return outfile;
}
