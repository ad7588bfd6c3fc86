/** 1.B Spec 1.1.0 additions (X-01 … X-28): STATUS, GC and the 1.1.0 result fields. */
import type { T } from '../context';
import { validateResult } from '../results';
import type { Container, JsonObject } from '../profiles/types';
import { compareVersions } from '../versions';
import type { Case } from './types';
import { errorText, require11, requireObservation, sameJson } from './util';
import { delegatedAdd, delegatedDel, delegationEnv, duringOutage, requireDelegation } from './delegation';

const V = '1.1.0';
/** GC and STATUS carry no attachment parameters (libcni >= 1.2 sends them empty). */
const noAttachment = { CNI_CONTAINERID: null, CNI_NETNS: null, CNI_IFNAME: null };
const none: Container = { containerId: '', netns: '' };

const attachments = (cs: Container[]): JsonObject[] => cs.map((c) => ({ containerID: c.containerId, ifname: 'eth0' }));

async function gc(
  t: T,
  network: string,
  valid: Container[] | undefined,
  key: 'new' | 'old' | 'both' = 'new',
  env: Record<string, string | null> = {},
): Promise<ReturnType<T['run']>> {
  const list = valid === undefined ? undefined : attachments(valid);
  const keys: JsonObject =
    list === undefined
      ? {}
      : {
          ...(key !== 'old' ? { 'cni.dev/valid-attachments': list } : {}),
          ...(key !== 'new' ? { 'cni.dev/attachments': list } : {}),
        };
  return t.run('GC', t.config(V, network, keys), none, { ...noAttachment, ...env });
}

/** Whether GC kept `keep` and removed `gone`. */
async function expectCollected(
  t: T,
  network: string,
  keep: Container[],
  gone: Container[],
  step: string,
): Promise<void> {
  for (const c of keep) await t.expectFootprint(c, true, `${step}: a valid attachment kept`, network);
  for (const c of gone) await t.expectFootprint(c, false, `${step}: a stale attachment removed`, network);
}

export const v11Cases: Case[] = [
  {
    id: 'X-01',
    title: 'VERSION lists 1.1.0 and echoes it',
    judging: { strict: 'echo "1.1.0"', compat: 'any version string in the answer' },
    async run(t) {
      await require11(t);
      const value = t.expectOk(
        await t.run('VERSION', '{"cniVersion":"1.1.0"}', none, { ...noAttachment, CNI_PATH: null }),
        'VERSION 1.1.0',
      );
      if (t.mode === 'strict')
        t.check(value.cniVersion === V, 'VERSION 1.1.0', '"cniVersion": "1.1.0"', JSON.stringify(value.cniVersion));
    },
  },
  {
    id: 'X-02',
    title: '1.1.0 requests: ADD, CHECK, DEL with 1.1.0 results',
    async run(t) {
      await require11(t);
      const { container, config, result } = await t.add(V);
      t.expectQuiet(await t.run('CHECK', { ...config, prevResult: result }, container), 'CHECK 1.1.0');
      await t.del({ ...config, prevResult: result }, container, 'DEL 1.1.0');
    },
  },
  ...(['X-03', 'X-04'] as const).map((id): Case => ({
    id,
    title:
      id === 'X-03'
        ? 'interface mtu, socketPath, pciID have the right types'
        : 'route mtu, advmss, priority, table, scope are unsigned integers',
    async run(t) {
      await require11(t);
      const entry = await t.corpusOrFail(V);
      const { findings, checked } = validateResult(entry.result, { version: V, mode: t.mode });
      const mine = findings.filter((f) => f.id === id);
      if (mine.length > 0) t.fail('ADD 1.1.0', 'well-typed 1.1.0 fields', mine.map((f) => f.msg).join('; '));
      if (!checked.has(id)) t.skip(`the 1.1.0 result carries none of the fields ${id} is about`);
    },
  })),
  {
    id: 'X-05',
    title: 'results for versions before 1.1.0 carry no 1.1.0 fields (also X-06)',
    modes: ['strict'],
    async run(t) {
      const vs = (await t.versions()).filter((v) => compareVersions(v, V) < 0);
      if (vs.length === 0) t.skip('no version before 1.1.0 selected');
      for (const v of vs) {
        const entry = await t.corpusOrFail(v);
        const mine = validateResult(entry.result, { version: v, mode: t.mode }).findings.filter((f) => f.id === 'X-05');
        if (mine.length > 0) t.fail(`ADD ${v}`, `only ${v} fields`, mine.map((f) => f.msg).join('; '));
      }
    },
  },
  {
    id: 'X-07',
    title: 'an error for a 1.1.0 request says cniVersion 1.1.0',
    async run(t) {
      await require11(t);
      await t.expectError(
        await t.run('ADD', t.config(V, undefined, { name: 'bad name' }), await t.container()),
        [7],
        'ADD 1.1.0 with a bad name',
      );
    },
  },
  {
    id: 'X-08',
    title: 'STATUS needs only CNI_COMMAND (CNI_PATH optional)',
    judging: { strict: 'quiet without CNI_PATH', compat: 'Go skel >= 1.2 wants CNI_PATH: also E(4)' },
    async run(t) {
      await require11(t);
      t.expectQuiet(await t.run('STATUS', t.config(V), none, noAttachment), 'STATUS with CNI_PATH');
      const inv = await t.run('STATUS', t.config(V), none, { ...noAttachment, CNI_PATH: null });
      if (t.mode === 'compat' && inv.exitCode !== 0) await t.expectError(inv, [4], 'STATUS without CNI_PATH');
      else t.expectQuiet(inv, 'STATUS without CNI_PATH');
    },
  },
  {
    id: 'X-09',
    title: 'STATUS validates its configuration',
    async run(t) {
      await require11(t);
      await t.expectError(await t.run('STATUS', 'notjson', none, noAttachment), [6], 'STATUS with "notjson"');
      await t.expectError(
        await t.run('STATUS', t.config(V, undefined, { name: 'bad name' }), none, noAttachment),
        [7],
        'STATUS with a bad name',
      );
    },
  },
  {
    id: 'X-10',
    title: 'STATUS of a ready plugin is quiet',
    async run(t) {
      await require11(t);
      t.expectQuiet(await t.run('STATUS', t.config(V), none, noAttachment), 'STATUS');
    },
  },
  {
    id: 'X-11',
    exclusive: true,
    title: 'STATUS of a plugin that cannot serve ADD is E(50) or E(51)',
    async run(t) {
      await require11(t);
      await duringOutage(t, async () => {
        await t.expectError(
          await t.run('STATUS', t.config(V), none, noAttachment),
          [50, 51],
          'STATUS while the backend is unreachable',
        );
      });
      t.expectQuiet(await t.run('STATUS', t.config(V), none, noAttachment), 'STATUS once the backend is back');
    },
  },
  ...(
    [
      ['X-12', 'STATUS'],
      ['X-23', 'GC'],
    ] as const
  ).map(([id, cmd]): Case => ({
    id,
    title: `${cmd} with a configuration before 1.1.0 is E(1)`,
    judging: {
      strict: 'E(1); a plugin without 1.1.0 may answer E(4) "unknown command"',
      compat: 'also E(3): Go skel 1.1.x checks the (absent) container id before the command',
    },
    async run(t) {
      const sup = await t.supported();
      const old = sup.filter((v) => compareVersions(v, V) < 0);
      const v = old.includes('1.0.0') ? '1.0.0' : (old[old.length - 1] ?? '1.0.0');
      const knows11 = sup.includes(V);
      const rule = knows11 ? [1] : t.mode === 'compat' ? [1, 3, 4] : [1, 4];
      await t.expectError(await t.run(cmd, t.config(v), none, noAttachment), rule, `${cmd} ${v}`);
    },
  })),
  {
    id: 'X-13',
    title: 'STATUS asks the delegated IPAM plugin',
    async run(t) {
      await require11(t);
      const d = requireDelegation(t);
      const config = d.config(V, t.network(), 'recording');
      t.expectQuiet(
        await t.run('STATUS', config, none, delegationEnv(d, noAttachment)),
        'STATUS, the IPAM plugin ready',
      );
      t.check(
        d.calls(config).some((c) => c.command === 'STATUS'),
        "the IPAM plugin's calls",
        'a STATUS',
        JSON.stringify(d.calls(config).map((c) => c.command)),
      );
      // The IPAM plugin's answer is the plugin's: its code passes through.
      for (const code of [50, 51]) {
        d.failStatus(config, { code, msg: `conformance: IPAM not ready (${code})` });
        await t.expectError(
          await t.run('STATUS', config, none, delegationEnv(d, noAttachment)),
          [code],
          `STATUS, the IPAM plugin answering ${code}`,
        );
      }
      d.failStatus(config, undefined);
      t.expectQuiet(
        await t.run('STATUS', config, none, delegationEnv(d, noAttachment)),
        'STATUS, the IPAM plugin ready again',
      );
    },
  },
  {
    id: 'X-14',
    title: 'ADD does not rely on STATUS',
    async run(t) {
      await require11(t);
      await t.run('STATUS', t.config(V), none, noAttachment);
      await t.add(V, { step: 'ADD after STATUS' });
    },
  },
  {
    id: 'X-15',
    title: 'GC is recognised and quiet (also X-17)',
    async run(t) {
      await require11(t);
      t.expectQuiet(await gc(t, t.network(), []), 'GC with an empty valid-attachments list');
    },
  },
  {
    id: 'X-16',
    title: 'GC reads cni.dev/valid-attachments and the older cni.dev/attachments alike',
    async run(t) {
      await require11(t);
      await requireObservation(t);
      const outcomes: string[] = [];
      for (const key of ['new', 'old', 'both'] as const) {
        const network = t.network(key);
        const a = (await t.add(V, { network })).container;
        const b = (await t.add(V, { network })).container;
        t.expectQuiet(await gc(t, network, [a], key), `GC with the ${key} key`);
        const keptA = (await t.footprint(a, network)).length > 0;
        const keptB = (await t.footprint(b, network)).length > 0;
        t.check(keptA, `GC with the ${key} key`, 'the valid attachment kept', 'it was removed');
        outcomes.push(`${key}: stale ${keptB ? 'kept' : 'removed'}`);
      }
      t.check(
        new Set(outcomes.map((o) => o.split(': ')[1])).size === 1,
        'GC key spellings',
        'the same behaviour for every spelling',
        outcomes.join(', '),
      );
    },
  },
  {
    id: 'X-18',
    title: 'GC removes stale attachments and keeps valid ones (also X-24: DEL afterwards is quiet)',
    async run(t) {
      await require11(t);
      await requireObservation(t);
      const network = t.network();
      const [a, b, c] = [await t.add(V, { network }), await t.add(V, { network }), await t.add(V, { network })];
      t.expectQuiet(await gc(t, network, [a.container, c.container]), 'GC keeping a and c');
      await expectCollected(t, network, [a.container, c.container], [b.container], 'after GC');
      for (const x of [a, c])
        t.expectQuiet(
          await t.run('CHECK', { ...x.config, prevResult: x.result }, x.container),
          'CHECK a kept attachment',
        );
      await t.del(b.config, b.container, 'DEL of the collected attachment');
    },
  },
  {
    id: 'X-19',
    title: 'GC only touches its own network',
    async run(t) {
      await require11(t);
      await requireObservation(t);
      const other = await t.add(V, { network: t.network('other') });
      await t.add(V, { network: t.network('mine') });
      t.expectQuiet(await gc(t, t.network('mine'), []), 'GC of one network with an empty list');
      await t.expectFootprint(other.container, true, "the other network's attachment", t.network('other'));
    },
  },
  {
    id: 'X-20',
    title: 'GC with an empty list collects everything; without the key it does not fail',
    async run(t) {
      await require11(t);
      await requireObservation(t);
      const network = t.network();
      const a = await t.add(V, { network });
      t.expectQuiet(await gc(t, network, []), 'GC with []');
      await expectCollected(t, network, [], [a.container], 'after GC with []');
      // Undefined by the spec (cnitool sends GC without the key after DELing everything): no crash.
      const inv = await gc(t, network, undefined);
      if (inv.exitCode === 0) t.expectQuiet(inv, 'GC without the key');
      else await t.expectError(inv, 'any', 'GC without the key');
    },
  },
  {
    id: 'X-21',
    exclusive: true,
    title: 'GC is best-effort and reports what it could not remove',
    async run(t) {
      await require11(t);
      await requireObservation(t);
      const provoke = t.session.provokeUndeletable?.bind(t.session);
      if (!provoke) return t.skip('the profile cannot make a resource undeletable');
      const network = t.network();
      const a = await t.add(V, { network });
      const b = await t.add(V, { network });
      const undeletable = await provoke();
      let e: JsonObject;
      try {
        e = await t.expectError(await gc(t, network, []), 'any', 'GC with one stale attachment that cannot be removed');
      } finally {
        await undeletable.undo();
      }
      // The other stale attachment went anyway, and the error names the one left.
      const left = [];
      for (const c of [a.container, b.container]) if ((await t.footprint(c, network)).length > 0) left.push(c);
      t.check(
        left.length === 1,
        'after the failed GC',
        'exactly one stale attachment left (best effort)',
        `${left.length} left`,
      );
      const text = errorText(e);
      t.check(
        text.includes(left[0]?.containerId ?? '\0'),
        'the GC error',
        `naming the attachment left (${left[0]?.containerId})`,
        text,
      );
      t.expectQuiet(await gc(t, network, []), 'GC once the resource can be removed');
      await expectCollected(t, network, [], [a.container, b.container], 'the second GC');
      t.suite.untrack(a.container);
      t.suite.untrack(b.container);
    },
  },
  {
    id: 'X-22',
    title: 'GC is forwarded to the delegated plugin',
    async run(t) {
      await require11(t);
      const d = requireDelegation(t);
      const network = t.network();
      const config = d.config(V, network, 'recording');
      const keep = await delegatedAdd(t, d, V, config, 'ADD of the attachment that stays');
      const stale = await delegatedAdd(t, d, V, config, 'ADD of the attachment that goes');
      const valid = attachments([keep.container]);
      const withList = { ...config, 'cni.dev/valid-attachments': valid };
      t.expectQuiet(await t.run('GC', withList, none, delegationEnv(d, noAttachment)), 'GC');
      const gcs = d.calls(config).filter((c) => c.command === 'GC');
      t.check(gcs.length === 1, "the IPAM plugin's calls", 'one GC', `${gcs.length}`);
      const got = (gcs[0]?.stdin as JsonObject | undefined)?.['cni.dev/valid-attachments'];
      t.check(
        sameJson(got, valid),
        "the IPAM plugin's GC",
        'the valid-attachments the runtime sent',
        JSON.stringify(got),
      );
      const leases = d.leases(config);
      t.check(
        sameJson(leases, [`${keep.container.containerId}_eth0`]),
        "the IPAM plugin's leases after GC",
        "only the valid attachment's",
        JSON.stringify(leases),
      );
      await expectCollected(t, network, [keep.container], [stale.container], 'GC');
      await delegatedDel(t, d, config, keep.container, 'DEL of the attachment that stayed');
      await delegatedDel(t, d, config, stale.container, 'DEL of the collected attachment');
    },
  },
  {
    id: 'X-25',
    title: 'list-level keys passed through are tolerated',
    async run(t) {
      const v = await t.version();
      await t.add(v, {
        extra: {
          cniVersions: ['1.0.0', '1.1.0'],
          disableGC: false,
          disableCheck: false,
          loadOnlyInlinedPlugins: false,
        },
      });
    },
  },
  {
    id: 'X-26',
    title: '1.1.0 DEL with and without prevResult',
    async run(t) {
      await require11(t);
      const a = await t.add(V);
      await t.del({ ...a.config, prevResult: a.result }, a.container, 'DEL with prevResult');
      const b = await t.add(V);
      await t.del(b.config, b.container, 'DEL without prevResult');
    },
  },
  {
    id: 'X-27',
    title: 'unknown cni.dev/ keys are ignored by every command',
    async run(t) {
      const v = await t.version();
      const extra = { 'cni.dev/future': 1 };
      const { container, config, result } = await t.add(v, { extra });
      if (compareVersions(v, '0.4.0') >= 0)
        t.expectQuiet(await t.run('CHECK', { ...config, prevResult: result }, container), 'CHECK');
      await t.del(config, container, 'DEL');
      if ((await t.versions()).includes(V)) {
        t.expectQuiet(await t.run('STATUS', t.config(V, undefined, extra), none, noAttachment), 'STATUS');
        t.expectQuiet(
          await t.run('GC', t.config(V, undefined, { ...extra, 'cni.dev/valid-attachments': [] }), none, noAttachment),
          'GC',
        );
      }
    },
  },
  {
    id: 'X-28',
    exclusive: true,
    title: 'GC racing an ADD leaves no half-collected attachment',
    async run(t) {
      await require11(t);
      const network = t.network();
      const c = await t.container();
      const config = t.config(V, network);
      const [add, g] = await Promise.all([t.run('ADD', config, c), gc(t, network, [])]);
      if (add.exitCode === 0) {
        t.expectResult(add, V, 'ADD during GC');
        t.suite.track(c, config);
      } else await t.expectError(add, [11], 'ADD during GC');
      if (g.exitCode === 0) t.expectQuiet(g, 'GC during ADD');
      else await t.expectError(g, [11], 'GC during ADD');
      await t.del(config, c, 'DEL afterwards');
      await t.expectFootprint(c, false, 'after DEL', network);
    },
  },
];
