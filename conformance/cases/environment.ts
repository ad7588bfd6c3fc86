/** C. Environment per command; D. attachment-parameter syntax (C-09 … C-20). */
import type { T } from '../context';
import type { Container } from '../profiles/types';
import { hasCheck } from '../versions';
import type { Case } from './types';
import { errorText, versionsOrSkip } from './util';

const ATTACHMENT_VARS = ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'] as const;

/** Each variable unset and empty must give E(4) naming it (C-09, C-10), and all of them at once. */
async function missingVars(
  t: T,
  command: string,
  stdin: Record<string, unknown>,
  c: Container,
  vars: readonly string[],
): Promise<void> {
  for (const name of vars) {
    for (const value of [null, ''] as const) {
      const step = `${command} with ${name} ${value === null ? 'unset' : 'empty'}`;
      const e = await t.expectError(await t.run(command, stdin, c, { [name]: value }), [4], step);
      t.check(errorText(e).includes(name), step, `a message naming ${name}`, errorText(e));
    }
  }
  const all = Object.fromEntries(vars.map((v) => [v, null]));
  const e = await t.expectError(await t.run(command, stdin, c, all), [4], `${command} with ${vars.join(', ')} unset`);
  for (const name of vars)
    t.check(
      errorText(e).includes(name),
      `${command} with all unset`,
      `a message naming every missing variable (${name})`,
      errorText(e),
    );
}

const BAD_IDS = ['-abc', '_x', '.x', 'a:b', 'a b', 'a/b', 'ü1', 'abc\n'];
const GOOD_IDS = ['a', '0', 'A.b_c-9', 'f'.repeat(64)];
const BAD_IFNAMES: [string, string][] = [
  ['', 'empty'],
  ['abcdefghijklmnop', '16 bytes'],
  ['éééééééé', '16 bytes of UTF-8'],
  ['.', '"."'],
  ['..', '".."'],
  ['a/b', 'a slash'],
  ['a:b', 'a colon'],
  ['a b', 'a space'],
  ['a\u00a0b', 'a Unicode space'],
];
const GOOD_IFNAMES = ['eth0', 'net1', 'abcdefghijklmno', 'ééééééé'];

export const environmentCases: Case[] = [
  {
    id: 'C-09',
    title: 'ADD requires CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME (unset or empty: E(4) naming them)',
    async run(t) {
      const v = await t.version();
      await missingVars(t, 'ADD', t.config(v), await t.container(), ATTACHMENT_VARS);
    },
  },
  {
    id: 'C-10',
    title: 'CHECK requires the same variables as ADD',
    async run(t) {
      const [v] = (await versionsOrSkip(t, hasCheck, 'with CHECK (>= 0.4.0)')).slice(-1) as [string];
      const entry = await t.corpusOrFail(v);
      await missingVars(t, 'CHECK', { ...entry.config, prevResult: entry.result }, entry.container, ATTACHMENT_VARS);
    },
  },
  {
    id: 'C-11',
    title: 'DEL needs CNI_CONTAINERID and CNI_IFNAME; CNI_NETNS is optional',
    async run(t) {
      const v = await t.version();
      const { container, config } = await t.add(v);
      await t.del(config, container, 'DEL with CNI_NETNS unset', { CNI_NETNS: null });
      const other = await t.container();
      await t.del(t.config(v), other, 'DEL with CNI_NETNS empty', { CNI_NETNS: '' });
      await missingVars(t, 'DEL', t.config(v), other, ['CNI_CONTAINERID', 'CNI_IFNAME']);
    },
  },
  {
    id: 'C-12',
    title: "VERSION needs only CNI_COMMAND (and takes libcni's probe environment)",
    async run(t) {
      const none = { containerId: '', netns: '' };
      const bare = { CNI_CONTAINERID: null, CNI_NETNS: null, CNI_IFNAME: null, CNI_PATH: null };
      t.expectOk(await t.run('VERSION', '', none, bare), 'VERSION with only CNI_COMMAND and empty stdin');
      const probe = { CNI_CONTAINERID: '', CNI_NETNS: 'dummy', CNI_IFNAME: 'dummy', CNI_PATH: 'dummy', CNI_ARGS: '' };
      t.expectOk(
        await t.run('VERSION', '{"cniVersion":"1.0.0"}', none, probe),
        "VERSION with libcni's probe environment",
      );
    },
  },
  {
    id: 'C-13',
    title: 'CNI_PATH is optional for a plugin that delegates nothing',
    judging: { strict: 'ADD without CNI_PATH succeeds', compat: 'also Go skel: E(4) naming CNI_PATH' },
    async run(t) {
      const v = await t.version();
      const c = await t.container();
      const config = t.config(v);
      const inv = await t.run('ADD', config, c, { CNI_PATH: null });
      if (t.mode === 'compat' && inv.exitCode !== 0) {
        const e = await t.expectError(inv, [4], 'ADD without CNI_PATH');
        t.check(errorText(e).includes('CNI_PATH'), 'ADD without CNI_PATH', 'a message naming CNI_PATH', errorText(e));
        return;
      }
      t.expectResult(inv, v, 'ADD without CNI_PATH');
      t.suite.track(c, config);
      await t.del(config, c, 'DEL');
    },
  },
  {
    id: 'C-14',
    title: 'an empty variable means absent (CNI_ARGS="")',
    async run(t) {
      const v = await t.version();
      for (const args of [null, ''] as const) {
        const c = await t.container();
        const config = t.config(v);
        t.expectResult(
          await t.run('ADD', config, c, { CNI_ARGS: args }),
          v,
          `ADD with CNI_ARGS ${args === null ? 'unset' : 'empty'}`,
        );
        t.suite.track(c, config);
        await t.del(config, c, `DEL with CNI_ARGS ${args === null ? 'unset' : 'empty'}`, { CNI_ARGS: args });
      }
    },
  },
  {
    id: 'C-15',
    title: 'unrelated environment is ignored (CNI_FOO, CNI_NETNS_OVERRIDE, proxies, a 100 KiB variable)',
    async run(t) {
      const v = await t.version();
      const extra = {
        CNI_FOO: 'x',
        CNI_NETNS_OVERRIDE: '1',
        HTTP_PROXY: 'http://127.0.0.1:9',
        CONFORMANCE_BIG: 'x'.repeat(100 * 1024),
      };
      const c = await t.container();
      const config = t.config(v);
      t.expectResult(await t.run('ADD', config, c, extra), v, 'ADD with extra environment');
      t.suite.track(c, config);
      await t.del(config, c, 'DEL with extra environment', extra);
    },
  },
  {
    id: 'C-16',
    title: 'CNI_CONTAINERID syntax: invalid ids are E(4) on ADD and DEL, valid ones work',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      for (const id of BAD_IDS) {
        const c = { ...(await t.container()), containerId: id };
        for (const cmd of ['ADD', 'DEL'])
          await t.expectError(await t.run(cmd, config, c), [4], `${cmd} with CNI_CONTAINERID ${JSON.stringify(id)}`);
      }
      for (const id of GOOD_IDS) {
        const c = { ...(await t.container()), containerId: id };
        t.expectResult(await t.run('ADD', config, c), v, `ADD with CNI_CONTAINERID ${JSON.stringify(id)}`);
        t.suite.track(c, config);
        await t.del(config, c, `DEL with CNI_CONTAINERID ${JSON.stringify(id)}`);
      }
    },
  },
  {
    id: 'C-17',
    title: 'CNI_IFNAME the plugin cannot use is E(4); usable names work (limit counted in bytes)',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      for (const [name, what] of BAD_IFNAMES) {
        const c = await t.container();
        // An empty CNI_IFNAME is also "missing": either message is right, the code is what matters.
        await t.expectError(await t.run('ADD', config, c, { CNI_IFNAME: name }), [4], `ADD with CNI_IFNAME ${what}`);
      }
      await t.expectError(
        await t.run('DEL', config, await t.container(), { CNI_IFNAME: 'a/b' }),
        [4],
        'DEL with CNI_IFNAME "a/b"',
      );
      for (const name of GOOD_IFNAMES) {
        const c = await t.container();
        t.expectResult(
          await t.run('ADD', config, c, { CNI_IFNAME: name }),
          v,
          `ADD with CNI_IFNAME ${JSON.stringify(name)}`,
        );
        t.suite.track(c, config, name);
        await t.del(config, c, `DEL with CNI_IFNAME ${JSON.stringify(name)}`, { CNI_IFNAME: name });
      }
    },
  },
  {
    id: 'C-18',
    title: 'CNI_NETNS must be non-empty for ADD (nat: a malformed GUID is rejected)',
    judging: { strict: 'E(4)', compat: 'E(4) or a plugin code (Microsoft nat answers 999)' },
    async run(t) {
      const v = await t.version();
      const rule = { strict: [4] as const, compat: [4, '>=100'] as const };
      await t.expectError(
        await t.run('ADD', t.config(v), await t.container(), { CNI_NETNS: '' }),
        rule,
        'ADD with CNI_NETNS empty',
      );
      if (t.session.profile === 'nat') {
        await t.expectError(
          await t.run('ADD', t.config(v), await t.container(), { CNI_NETNS: 'not-a-guid' }),
          'any',
          'ADD with CNI_NETNS "not-a-guid"',
        );
      }
    },
  },
  {
    id: 'C-19',
    title: 'CNI_ARGS as runtimes send it (IgnoreUnknown=1 and Kubernetes keys) is accepted',
    async run(t) {
      const v = await t.version();
      const c = await t.container();
      const args = {
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=${c.containerId};K8S_POD_UID=u1`,
      };
      const config = t.config(v);
      t.expectResult(await t.run('ADD', config, c, args), v, 'ADD with Kubernetes CNI_ARGS');
      t.suite.track(c, config);
      await t.del(config, c, 'DEL with Kubernetes CNI_ARGS', args);
    },
  },
  {
    id: 'C-20',
    title: '"args" in the configuration is accepted (and ignored where not understood)',
    async run(t) {
      const v = await t.version();
      await t.add(v, { extra: { args: { cni: { labels: [{ key: 'app', value: 'x' }], foo: 1 } } } });
    },
  },
];
