/** E. stdin and configuration parsing (C-21 … C-28). */
import type { Case } from './types';

export const stdinCases: Case[] = [
  {
    id: 'C-21',
    title: 'stdin is read to the end; a read failure is E(5)',
    async run(t) {
      const v = await t.version();
      // More than any pipe buffer: the plugin must read everything before answering.
      await t.add(v, {
        extra: { 'x-conformance-padding': 'p'.repeat(1 << 20) },
        step: 'ADD with a 1 MiB configuration',
      });
      // Windows has no /bin/sh to start a child with stdin closed, and cannot open a directory as a file.
      if (process.platform === 'win32')
        return t.skip('the 1 MiB read passed; stdin as a directory or a closed descriptor cannot be set up on Windows');
      await t.expectError(
        await t.run('ADD', { kind: 'directory', path: '/' }, await t.container()),
        [5],
        'ADD with stdin a directory',
      );
      await t.expectError(await t.run('ADD', { kind: 'closed' }, await t.container()), [5], 'ADD with stdin closed');
    },
  },
  {
    id: 'C-22',
    title: 'stdin that is not one JSON object is E(6); surrounding whitespace and CRLF are fine',
    judging: { strict: 'BOM: E(6) or success (RFC 8259 lets parsers ignore a BOM)', compat: 'the same' },
    async run(t) {
      const v = await t.version();
      const valid = JSON.stringify(t.config(v));
      const bad: [string, string][] = [
        ['', 'empty stdin'],
        ['notjson', '"notjson"'],
        ['{', '"{"'],
        ['[1,2]', 'an array'],
        [`${valid} trailing`, 'trailing text'],
        [`${valid}{}`, 'two documents'],
      ];
      for (const [stdin, what] of bad)
        await t.expectError(await t.run('ADD', stdin, await t.container()), [6], `ADD with ${what}`);
      await t.expectError(await t.run('ADD', 'null', await t.container()), [6, 7], 'ADD with "null"');
      const bomC = await t.container();
      const bom = await t.run('ADD', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]), bomC);
      if (bom.exitCode === 0) {
        t.expectResult(bom, v, 'ADD with a UTF-8 BOM (accepted)');
        t.suite.track(bomC, t.config(v));
      } else {
        await t.expectError(bom, [6], 'ADD with a UTF-8 BOM');
      }
      const c = await t.container();
      const pretty = JSON.stringify(t.config(v), null, 2).replace(/\n/g, '\r\n');
      t.expectResult(
        await t.run('ADD', `\r\n \t${pretty}\r\n\r\n`, c),
        v,
        'ADD with CRLF line ends and surrounding whitespace',
      );
      t.suite.track(c, t.config(v));
    },
  },
  {
    id: 'C-23',
    title: 'network name: missing, empty or with invalid characters is E(7)',
    async run(t) {
      const v = await t.version();
      const base = t.config(v);
      const { name: _omit, ...noName } = base;
      void _omit;
      await t.expectError(await t.run('ADD', noName, await t.container()), [7], 'ADD without "name"');
      for (const name of ['', 'a/b', 'bad name', 'ünï', '-x', '.x']) {
        await t.expectError(
          await t.run('ADD', { ...base, name }, await t.container()),
          [7],
          `ADD with name ${JSON.stringify(name)}`,
        );
      }
    },
  },
  {
    id: 'C-24',
    title: 'cniVersion: exact match against supportedVersions, unsupported is E(1)',
    async run(t) {
      const sup = await t.supported();
      const v = await t.version();
      const base = t.config(v);
      for (const bad of ['9.9.9', '1.0', '2.0.0', '0.5.0', 'v1.0.0']) {
        await t.expectError(
          await t.run('ADD', { ...base, cniVersion: bad }, await t.container()),
          [1],
          `ADD with cniVersion ${JSON.stringify(bad)}`,
        );
      }
      await t.expectError(
        await t.run('ADD', { ...base, cniVersion: 1 }, await t.container()),
        [1, 6],
        'ADD with cniVersion 1 (a number)',
      );
      const { cniVersion: _omit, ...noVersion } = base;
      void _omit;
      const c = await t.container();
      const inv = await t.run('ADD', noVersion, c);
      // Go treats an absent version as 0.1.0 (checklist C-24, COVERAGE.md; Go skel defaults the version); an error is also honest.
      if (inv.exitCode === 0 && sup.includes('0.1.0')) {
        t.expectResult(inv, '0.1.0', 'ADD without cniVersion (taken as 0.1.0)');
        t.suite.track(c, noVersion);
      } else {
        await t.expectError(inv, [1, 6, 7], 'ADD without cniVersion');
      }
    },
  },
  {
    id: 'C-25',
    title: 'protocol keys are tolerated: capabilities, runtimeConfig, cni.dev/*',
    async run(t) {
      const v = await t.version();
      const extras = [
        { capabilities: { portMappings: true, dns: true } },
        { runtimeConfig: {} },
        { runtimeConfig: { unknownCap: 1 } },
        { 'cni.dev/anything': {} },
      ];
      for (const extra of extras) await t.add(v, { extra, step: `ADD with ${JSON.stringify(extra)}` });
    },
  },
  {
    id: 'C-26',
    title: 'an unknown plugin field is ignored (or refused with E(2))',
    async run(t) {
      const v = await t.version();
      const c = await t.container();
      const config = t.config(v, undefined, { someFutureField: 123 });
      const inv = await t.run('ADD', config, c);
      if (inv.exitCode !== 0) {
        await t.expectError(inv, [2], 'ADD with "someFutureField"');
        return;
      }
      t.expectResult(inv, v, 'ADD with "someFutureField"');
      t.suite.track(c, config);
    },
  },
  {
    id: 'C-27',
    title: 'an unsupported field is E(2) naming key and value',
    async run(t) {
      t.skip('plugin-specific: the profile declares no unsupported (key, value) pairs');
    },
  },
  {
    id: 'C-28',
    title: 'an invalid configuration is E(7)',
    judging: { strict: 'E(7), or E(6) for a wrong JSON type', compat: 'also a plugin code (Go plugins answer 999)' },
    async run(t) {
      const v = await t.version();
      const invalid = t.session.invalidConfigs(v, t.network());
      if (invalid.length === 0) t.skip('plugin-specific: the profile knows no invalid configuration for this plugin');
      for (const bad of invalid)
        await t.expectError(await t.run('ADD', bad.config, await t.container()), bad.codes, `ADD with ${bad.label}`);
    },
  },
];
