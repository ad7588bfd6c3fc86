/** K. Concurrency, lifecycle, error semantics (C-76 … C-80). */
import type { Case } from './types';
import { errorText, requireObservation, resultAddresses } from './util';
import { TRANSIENT, duringOutage } from './delegation';

export const lifecycleCases: Case[] = [
  {
    id: 'C-76',
    exclusive: true,
    title: 'concurrent ADDs and DELs of different containers on one network',
    async run(t) {
      const v = await t.version();
      const n = t.suite.opts.parallel;
      const config = t.config(v);
      const containers = await Promise.all(Array.from({ length: n }, () => t.container()));
      const adds = await Promise.all(containers.map((c) => t.run('ADD', config, c)));
      const addresses: string[] = [];
      adds.forEach((inv, i) => {
        const r = t.expectResult(inv, v, `parallel ADD #${i + 1} of ${n}`);
        t.suite.track(containers[i]!, config);
        addresses.push(...resultAddresses(r).map((a) => a.split('/')[0] as string));
      });
      const dupes = addresses.filter((a, i) => addresses.indexOf(a) !== i);
      t.check(dupes.length === 0, `${n} parallel ADDs`, 'distinct addresses', `duplicates: ${dupes.join(', ')}`);
      // Interleaved: half of the containers leave while as many new ones arrive.
      const half = containers.slice(0, Math.floor(n / 2));
      const newcomers = await Promise.all(half.map(() => t.container()));
      const mixed = await Promise.all([
        ...half.map((c) => t.run('DEL', config, c).then((inv) => ({ inv, op: 'DEL' as const }))),
        ...newcomers.map((c) => t.run('ADD', config, c).then((inv) => ({ inv, op: 'ADD' as const }))),
      ]);
      mixed.forEach(({ inv, op }, i) => {
        if (op === 'DEL') t.expectQuiet(inv, `interleaved DEL #${i + 1}`);
        else t.expectResult(inv, v, `interleaved ADD #${i + 1}`);
      });
      half.forEach((c) => t.suite.untrack(c));
      newcomers.forEach((c) => t.suite.track(c, config));
      const rest = [...containers.slice(half.length), ...newcomers];
      const dels = await Promise.all(rest.map((c) => t.run('DEL', config, c)));
      dels.forEach((inv, i) => t.expectQuiet(inv, `parallel DEL #${i + 1}`));
      rest.forEach((c) => t.suite.untrack(c));
      for (const c of [...containers, ...newcomers]) await t.expectFootprint(c, false, 'after all DELs');
    },
  },
  {
    id: 'C-77',
    exclusive: true,
    title: 'failing invocations change nothing',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      // Preparing the container may itself change state (the nat profile creates its namespace).
      const c = await t.container();
      const before = await t.session.snapshot();
      await t.expectError(await t.run('ADD', 'notjson', c), [6], 'ADD with "notjson"');
      await t.expectError(await t.run('ADD', config, c, { CNI_IFNAME: null }), [4], 'ADD without CNI_IFNAME');
      await t.expectError(await t.run('ADD', { ...config, cniVersion: '9.9.9' }, c), [1], 'ADD with cniVersion 9.9.9');
      await t.expectError(await t.run('ADD', { ...config, name: 'bad name' }, c), [7], 'ADD with a bad name');
      await t.expectError(
        await t.run('ADD', config, { ...c, containerId: '-bad' }),
        [4],
        'ADD with a bad container id',
      );
      await t.expectError(await t.run('FOO', config, c), [4], 'CNI_COMMAND=FOO');
      const after = await t.session.snapshot();
      t.check(before === after, 'state after the failed calls', 'unchanged', 'the plugin state changed');
    },
  },
  {
    id: 'C-78',
    exclusive: true,
    title: 'transient conditions are E(11), and the plugin never hangs',
    async run(t) {
      await requireObservation(t);
      const v = await t.version();
      const config = t.config(v);
      const c = await t.container();
      await duringOutage(t, async () => {
        await t.expectError(await t.run('ADD', config, c), TRANSIENT, 'ADD while the backend is unreachable');
      });
      await t.expectFootprint(c, false, 'after the ADD that could not reach the backend');
      // The condition passed: the same request now succeeds (hangs are judged by S5-11 for every call).
      await t.add(v, { container: c, step: 'the same ADD once the backend is back' });
    },
  },
  {
    id: 'C-79',
    title: 'ADD for a container that does not exist is E(3)',
    judging: { strict: 'E(3)', compat: 'E(any): Go plugins do not use code 3' },
    async run(t) {
      if (t.session.profile !== 'nat') t.skip("the generic profile's containers have no identity the plugin can check");
      const v = await t.version();
      const c = { ...(await t.container()), netns: await t.session.goneNetns() };
      await t.expectError(
        await t.run('ADD', t.config(v), c),
        { strict: [3], compat: 'any' },
        'ADD into a namespace that does not exist',
      );
      await t.expectFootprint(c, false, 'after the refused ADD');
    },
  },
  {
    id: 'C-80',
    title: 'code 4 messages name the invalid variables',
    async run(t) {
      const v = await t.version();
      for (const name of ['CNI_IFNAME', 'CNI_CONTAINERID']) {
        const e = await t.expectError(
          await t.run('ADD', t.config(v), await t.container(), { [name]: null }),
          [4],
          `ADD without ${name}`,
        );
        t.check(errorText(e).includes(name), `ADD without ${name}`, `msg or details naming ${name}`, errorText(e));
      }
    },
  },
];
