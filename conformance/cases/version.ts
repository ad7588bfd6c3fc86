/** F. VERSION (C-29 … C-32). */
import type { JsonObject } from '../profiles/types';
import { hasCheck, KNOWN_VERSIONS } from '../versions';
import type { Case } from './types';

const none = { containerId: '', netns: '' };
const versionOnly = { CNI_CONTAINERID: null, CNI_NETNS: null, CNI_IFNAME: null, CNI_PATH: null };

export const versionCases: Case[] = [
  {
    id: 'C-29',
    title: 'VERSION answers cniVersion and a non-empty supportedVersions list',
    async run(t) {
      const value = t.expectOk(await t.run('VERSION', '{"cniVersion":"1.0.0"}', none, versionOnly), 'VERSION');
      t.check(
        typeof value.cniVersion === 'string' && value.cniVersion !== '',
        'VERSION',
        'a non-empty "cniVersion"',
        JSON.stringify(value),
      );
      const list = value.supportedVersions;
      t.check(
        Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string' && /^\d+\.\d+\.\d+$/.test(x)),
        'VERSION',
        'supportedVersions: a non-empty array of x.y.z strings',
        JSON.stringify(list),
      );
    },
  },
  {
    id: 'C-30',
    title: 'VERSION echoes the cniVersion it was given',
    judging: {
      strict: "cniVersion equals the input's",
      compat: 'Go skel prints its library version: any supported version',
    },
    async run(t) {
      const sup = await t.supported();
      for (const v of sup.filter((x) => (KNOWN_VERSIONS as readonly string[]).includes(x))) {
        const value = t.expectOk(
          await t.run('VERSION', JSON.stringify({ cniVersion: v }), none, versionOnly),
          `VERSION with cniVersion ${v}`,
        );
        if (t.mode === 'strict')
          t.check(
            value.cniVersion === v,
            `VERSION with cniVersion ${v}`,
            `"cniVersion": "${v}"`,
            JSON.stringify(value.cniVersion),
          );
        else
          t.check(
            typeof value.cniVersion === 'string' && /^\d+\.\d+\.\d+$/.test(value.cniVersion),
            `VERSION with cniVersion ${v}`,
            'a version string',
            JSON.stringify(value.cniVersion),
          );
      }
    },
  },
  {
    id: 'C-31',
    title: 'VERSION tolerates any stdin (empty, garbage, {})',
    async run(t) {
      for (const stdin of ['', 'garbage', '{}'])
        t.expectOk(await t.run('VERSION', stdin, none, versionOnly), `VERSION with stdin ${JSON.stringify(stdin)}`);
    },
  },
  {
    id: 'C-32',
    title: 'supportedVersions is truthful: each listed version completes ADD, CHECK, DEL; others are E(1)',
    async run(t) {
      const sup = await t.supported();
      const selected = KNOWN_VERSIONS.filter((v) => t.suite.opts.versions.includes(v));
      if (selected.includes('1.0.0'))
        t.check(
          sup.includes('1.0.0'),
          'VERSION',
          '"1.0.0" in supportedVersions (spec 1.0.0 conformance)',
          JSON.stringify(sup),
        );
      for (const v of selected) {
        const c = await t.container();
        const config: JsonObject = t.config(v);
        if (!sup.includes(v)) {
          await t.expectError(await t.run('ADD', config, c), [1], `ADD ${v} (not listed)`);
          continue;
        }
        const result = t.expectResult(await t.run('ADD', config, c), v, `ADD ${v}`);
        t.suite.track(c, config);
        await t.expectFootprint(c, true, `after ADD ${v}`);
        await t.expectAttachment(c, `after ADD ${v}`);
        if (hasCheck(v)) {
          const inv = await t.run('CHECK', { ...config, prevResult: result }, c);
          t.expectQuiet(inv, `CHECK ${v}`);
        }
        await t.del(hasCheck(v) ? { ...config, prevResult: result } : config, c, `DEL ${v}`);
        await t.expectFootprint(c, false, `after DEL ${v}`);
      }
    },
  },
];
