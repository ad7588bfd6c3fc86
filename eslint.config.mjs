// ESLint flat config: typescript-eslint's type-aware recommended rules, plus the layer rules of the
// architecture (README "Layout"): spec and hns know nothing of plugin, only hns/sim and test reach the
// simulator, and conformance drives executables rather than the plugin's source.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A rule is [gitignore-style groups, message], or [a RegExp of the whole specifier, message].
const noImport = (...rules) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: rules.map(([match, message]) =>
        match instanceof RegExp ? { regex: match.source, message } : { group: match, message },
      ),
    },
  ],
});
const PLUGIN = ['**/plugin', '**/plugin/**'];
const SIM = ['**/sim', '**/sim/**', '**/hns/sim', '**/hns/sim/**'];
const NO_PLUGIN = [PLUGIN, 'spec/ and hns/ know nothing of the plugin'];
const NO_SIM = [SIM, 'production code never reaches the HNS simulator (only hns/sim and test/ may)'];
// spec/zod.ts sets zod up (jitless) before any schema is built; importing zod around it would build
// schemas without that setting.
const NO_BARE_ZOD = [/^zod(\/.*)?$/, 'import zod from spec/zod.ts, which configures it'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Async methods here implement async interfaces (conformance profiles and cases); some have
      // nothing to await, and making them sync would split the interface.
      '@typescript-eslint/require-await': 'off',
      // `import koffi = require('koffi')` is how esbuild keeps koffi's CommonJS loader intact.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests read HNS and CNI JSON documents loosely on purpose (they assert on them field by field);
    // production code is held to the no-unsafe-* rules.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // One block per folder: a later block's no-restricted-imports replaces an earlier one's for the
  // same file, so each folder lists every rule it is under.
  { files: ['spec/**/*.ts'], ignores: ['spec/zod.ts'], rules: noImport(NO_PLUGIN, NO_SIM, NO_BARE_ZOD) },
  { files: ['spec/zod.ts'], rules: noImport(NO_PLUGIN, NO_SIM) },
  { files: ['hns/**/*.ts'], ignores: ['hns/sim/**'], rules: noImport(NO_PLUGIN, NO_SIM, NO_BARE_ZOD) },
  { files: ['hns/sim/**/*.ts'], rules: noImport(NO_PLUGIN, NO_BARE_ZOD) },
  // plugin/main.ts is dist/nat's entry, the development build that keeps the simulator as a backend;
  // nat.exe's entry (plugin/main-windows.ts) is held to the rule, and test/layers.test.ts checks its bundle.
  { files: ['plugin/**/*.ts'], ignores: ['plugin/main.ts'], rules: noImport(NO_SIM, NO_BARE_ZOD) },
  { files: ['plugin/main.ts'], rules: noImport(NO_BARE_ZOD) },
  {
    files: ['conformance/**/*.ts'],
    rules: noImport(
      [PLUGIN, 'the conformance suite drives plugin executables; it imports no source of the plugin'],
      [SIM, 'the conformance suite sees HNS through hns-sim dump or the HCN API, never the simulator module'],
      NO_BARE_ZOD,
    ),
  },
  { files: ['tools/**/*.ts'], rules: noImport(NO_SIM, NO_BARE_ZOD) },
  { files: ['test/**/*.ts'], rules: noImport(NO_BARE_ZOD) },
  {
    // The process entries load every module lazily, so that VERSION (and each command) pays only for
    // what it uses at start-up; a static import would initialise the whole bundle (`make bench`).
    files: ['plugin/main.ts', 'plugin/main-windows.ts', 'plugin/entry.ts', 'plugin/start.ts', 'plugin/start-dist.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
