/**
 * The layer rules, checked on the sources' imports until the linter encodes them:
 * - spec and hns import nothing of plugin;
 * - nothing outside hns/sim and test imports hns/sim, except the entry of the development build
 *   (plugin/main.ts, dist/nat), which keeps the simulator backend on purpose;
 * - nat.exe's entry (plugin/main-windows.ts) reaches no simulator code and no NAT_CNI_HNS switch,
 *   through any chain of imports (esbuild's own view of the bundle).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..');
const LAYERS = ['spec', 'hns', 'plugin', 'conformance', 'tools'];
const SIM_IMPORT_ALLOWED = new Set(['plugin/main.ts']);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return /\.ts$/.test(e.name) ? [rel] : [];
  });
}

/** Every module a file imports, as a repository path (relative specifiers only; packages are not layers). */
export function importsOf(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/\bfrom\s+'([^']+)'/g),
    ...text.matchAll(/\bimport\s+'([^']+)'/g),
    ...text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] as string);
  return specs.filter((s) => s.startsWith('.')).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);

const edges = LAYERS.flatMap((layer) =>
  sources(layer).flatMap((file) => importsOf(file, fs.readFileSync(path.join(REPO, file), 'utf8')).map((to) => ({ file, to }))),
);

describe('import scanning', () => {
  it('sees every form of import, resolved against the importing file', () => {
    const text = [
      "import { a } from '../x/a';",
      "import type { B } from './b';",
      "import './side-effect';",
      "import koffi = require('koffi');",
      "const c = require('../c') as C;",
      "export { d } from '../../d';",
      "const e = await import('./e');",
    ].join('\n');
    expect(importsOf('plugin/sub/f.ts', text).sort()).toEqual(['d', 'plugin/c', 'plugin/sub/b', 'plugin/sub/e', 'plugin/sub/side-effect', 'plugin/x/a']);
  });

  it('found the imports of the tree (so that the rules below are not vacuous)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.file === 'plugin/main.ts' && under(e.to, 'hns/sim'))).toBe(true);
    expect(edges.some((e) => under(e.file, 'hns/sim') && e.to === 'hns/lockfile')).toBe(true);
  });
});

describe('layer rules', () => {
  it('spec and hns import nothing of plugin', () => {
    expect(edges.filter((e) => (under(e.file, 'spec') || under(e.file, 'hns')) && under(e.to, 'plugin'))).toEqual([]);
  });

  it('nothing outside hns/sim and test imports hns/sim, but the development entry', () => {
    const bad = edges.filter((e) => !under(e.file, 'hns/sim') && under(e.to, 'hns/sim') && !SIM_IMPORT_ALLOWED.has(e.file));
    expect(bad).toEqual([]);
  });
});

describe("nat.exe's bundle", () => {
  const result = buildSync({
    entryPoints: [path.join(REPO, 'plugin/main-windows.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    write: false,
    metafile: true,
    external: ['koffi', '@koromix/*'],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const text = result.outputFiles[0]?.text ?? '';

  it('is built from the plugin and hns/ffi (the check sees the real closure)', () => {
    expect(inputs).toContain('plugin/main-windows.ts');
    expect(inputs).toContain('plugin/add.ts');
    expect(inputs).toContain('hns/ffi/library.ts');
  });

  it('holds no simulator module and no backend switch', () => {
    expect(inputs.filter((i) => under(i, 'hns/sim') || i === 'hns/backend.ts')).toEqual([]);
    expect(text).not.toContain('NAT_CNI_HNS');
    expect(text).not.toContain('createSimApi');
  });
});
