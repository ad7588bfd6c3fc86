/**
 * The layer rules live in the linter (eslint.config.mjs, run by `make lint`, part of `make check` and
 * `make test`): spec and hns import nothing of plugin; nothing outside hns/sim and test imports hns/sim,
 * except the entry of the development build (plugin/main.ts, dist/nat), which keeps the simulator
 * backend on purpose; conformance imports no source of the plugin; zod is imported only through spec/zod.ts, which
 * configures it before any schema exists. This file proves the linter really
 * refuses each forbidden edge (a rule that matches nothing would pass every tree), and that nat.exe's
 * entry (plugin/main-windows.ts) reaches no simulator code and no NAT_CNI_HNS switch through any chain
 * of imports (esbuild's own view of the bundle).
 */
import path from 'node:path';
import { buildSync } from 'esbuild';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..');
const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);

describe('the linter encodes the layer rules', () => {
  const eslint = new ESLint({ cwd: REPO });
  /** The no-restricted-imports messages ESLint gives a file at `file` that imports `spec`. */
  const refusals = async (file: string, spec: string): Promise<string[]> => {
    const [result] = await eslint.lintText(`import * as m from '${spec}';\nexport const x = m;\n`, {
      filePath: path.join(REPO, file),
    });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it.each([
    ['spec/env.ts', '../plugin/config'],
    ['hns/client/query.ts', '../../plugin/log'],
    ['hns/sim/core.ts', '../../plugin/errors'],
    ['hns/client/query.ts', '../sim/api'],
    ['hns/backend.ts', './sim/api'],
    ['plugin/add.ts', '../hns/sim/api'],
    ['plugin/main-windows.ts', '../hns/sim/api'],
    ['plugin/cli/doctor.ts', '../../hns/sim/api'],
    ['conformance/main.ts', '../plugin/add'],
    ['conformance/profiles/nat.ts', '../../hns/sim/api'],
    ['plugin/config.ts', 'zod'],
    ['hns/schema/objects.ts', 'zod'],
    ['hns/sim/state.ts', 'zod/mini'],
    ['test/spec/config.test.ts', 'zod'],
  ])(
    'refuses %s importing %s',
    async (file, spec) => {
      expect(await refusals(file, spec)).toHaveLength(1);
    },
    60_000,
  );

  it.each([
    ['plugin/main.ts', '../hns/sim/api'],
    ['hns/sim/core.ts', './model/network'],
    ['plugin/add.ts', '../hns/client'],
    ['conformance/profiles/hns-view.ts', '../../hns/client'],
    ['test/plugin/faults/harness.ts', '../../../hns/sim/api'],
    ['spec/zod.ts', 'zod'],
    ['plugin/config.ts', '../spec/zod'],
  ])(
    'allows %s importing %s',
    async (file, spec) => {
      expect(await refusals(file, spec)).toEqual([]);
    },
    60_000,
  );
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
