/** H. DEL (C-53 … C-62). */
import { hasCheck } from '../versions';
import type { Case } from './types';
import { requireObservation } from './util';
import { TRANSIENT, duringOutage } from './delegation';

export const delCases: Case[] = [
  {
    id: 'C-53',
    title: 'DEL after ADD succeeds quietly and removes the attachment',
    async run(t) {
      const v = await t.version();
      const { container, config } = await t.add(v);
      await t.del(config, container, 'DEL');
      await t.expectFootprint(container, false, 'after DEL');
    },
  },
  {
    id: 'C-54',
    title: 'repeated DEL of the same attachment succeeds every time',
    async run(t) {
      const v = await t.version();
      const { container, config } = await t.add(v);
      for (const n of [1, 2, 3]) await t.del(config, container, `DEL #${n}`);
    },
  },
  {
    id: 'C-55',
    title: 'DEL of a container never added succeeds',
    async run(t) {
      await t.del(t.config(await t.version()), await t.container(), 'DEL of an unknown container');
    },
  },
  {
    id: 'C-56',
    title: 'DEL without prevResult (every version) succeeds and releases the attachment',
    async run(t) {
      await requireObservation(t);
      for (const v of await t.versions()) {
        const { container, config } = await t.add(v);
        await t.del(config, container, `DEL ${v} without prevResult`);
        await t.expectFootprint(container, false, `after DEL ${v}`);
      }
    },
  },
  {
    id: 'C-57',
    title: 'DEL with the ADD result as prevResult, or a stale one, succeeds',
    async run(t) {
      const vs = (await t.versions()).filter(hasCheck);
      if (vs.length === 0) t.skip('no selected version sends prevResult on DEL (>= 0.4.0)');
      for (const v of vs) {
        const { container, config, result } = await t.add(v);
        await t.del({ ...config, prevResult: result }, container, `DEL ${v} with the ADD result`);
        await t.expectFootprint(container, false, `after DEL ${v}`);
        const other = await t.add(v);
        const stale = {
          cniVersion: v,
          ips: [{ address: '198.51.100.77/24', ...(v === '1.0.0' || v === '1.1.0' ? {} : { version: '4' }) }],
        };
        await t.del(
          { ...other.config, prevResult: stale },
          other.container,
          `DEL ${v} with a prevResult that does not match`,
        );
        await t.expectFootprint(other.container, false, `after DEL ${v} with a stale prevResult`);
      }
    },
  },
  {
    id: 'C-58',
    title: 'DEL when the namespace is gone (empty or vanished CNI_NETNS) succeeds and releases',
    async run(t) {
      const v = await t.version();
      for (const [what, netns] of [
        ['empty', ''],
        ['vanished', await t.session.goneNetns()],
      ] as const) {
        const { container, config } = await t.add(v);
        await t.del(config, container, `DEL with CNI_NETNS ${what}`, { CNI_NETNS: netns });
        await t.expectFootprint(container, false, `after DEL with CNI_NETNS ${what}`);
      }
    },
  },
  {
    id: 'C-59',
    title: 'DEL releases everything the ADD created',
    async run(t) {
      await requireObservation(t);
      const v = await t.version();
      const { container, config } = await t.add(v);
      await t.expectFootprint(container, true, 'after ADD');
      await t.del(config, container, 'DEL');
      await t.expectFootprint(container, false, 'after DEL');
    },
  },
  {
    id: 'C-60',
    // The provoked failure (e.g. an injected fault) must hit this case's ADD, not another case's.
    exclusive: true,
    title: 'DEL after a failed ADD succeeds',
    async run(t) {
      const provoke = t.session.provokeAddFailure?.bind(t.session);
      if (!provoke) return t.skip('the profile cannot make an ADD fail half-way');
      const v = await t.version();
      const c = await t.container();
      const provoked = await provoke(v, t.network(), c, (cmd, stdin, cc, env) => t.run(cmd, stdin, cc, env ?? {}));
      try {
        await t.expectError(await t.run('ADD', provoked.config, c), 'any', 'ADD that cannot complete');
        await t.del(provoked.config, c, 'DEL after the failed ADD');
      } finally {
        await provoked.undo();
      }
      // Also after an ADD refused at validation.
      const c2 = await t.container();
      await t.expectError(await t.run('ADD', 'notjson', c2), [6], 'ADD refused');
      await t.del(t.config(v), c2, 'DEL after the refused ADD');
    },
  },
  {
    id: 'C-61',
    title: 'DEL validates its parameters like ADD (Go skel); a valid unknown id is fine',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      await t.expectError(
        await t.run('DEL', config, { ...(await t.container()), containerId: '-abc' }),
        [4],
        'DEL with CNI_CONTAINERID "-abc"',
      );
      await t.expectError(
        await t.run('DEL', config, await t.container(), { CNI_IFNAME: 'a b' }),
        [4],
        'DEL with CNI_IFNAME "a b"',
      );
      await t.expectError(
        await t.run('DEL', { ...config, name: 'bad name' }, await t.container()),
        [7],
        'DEL with name "bad name"',
      );
      await t.del(config, await t.container(), 'DEL of a valid, unknown container id');
    },
  },
  {
    id: 'C-62',
    // The outage hits every call: no other case may run meanwhile.
    exclusive: true,
    title: 'DEL fails (E(11)) only when really unable, e.g. the backend is unreachable',
    async run(t) {
      await requireObservation(t);
      const v = await t.version();
      const { container, config } = await t.add(v);
      await duringOutage(t, async () => {
        await t.expectError(await t.run('DEL', config, container), TRANSIENT, 'DEL while the backend is unreachable');
      });
      // It did not claim success: the attachment is still there, and the retry removes it.
      await t.expectFootprint(container, true, 'after the DEL that could not reach the backend');
      await t.del(config, container, 'DEL once the backend is back');
      await t.expectFootprint(container, false, 'after the retried DEL');
    },
  },
];
