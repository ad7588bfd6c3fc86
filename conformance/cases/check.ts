/** I. CHECK (C-63 … C-71). */
import type { T } from '../context';
import { compareVersions, hasCheck } from '../versions';
import type { Case } from './types';
import { versionsOrSkip } from './util';
import { delegatedAdd, delegatedDel, delegationEnv, requireDelegation } from './delegation';

async function checkVersion(t: T): Promise<string> {
  const vs = await versionsOrSkip(t, hasCheck, 'with CHECK (>= 0.4.0)');
  return vs.includes('1.0.0') ? '1.0.0' : (vs[vs.length - 1] as string);
}

export const checkCases: Case[] = [
  {
    id: 'C-63',
    title: 'CHECK below 0.4.0 is E(1)',
    async run(t) {
      const sup = await t.supported();
      const old = sup.filter((v) => compareVersions(v, '0.4.0') < 0 && t.suite.opts.versions.includes(v));
      // An unsupported 0.3.1 must be refused as well, with the same code.
      for (const v of old.length > 0 ? old : ['0.3.1']) {
        await t.expectError(await t.run('CHECK', t.config(v), await t.container()), [1], `CHECK ${v}`);
      }
    },
  },
  {
    id: 'C-64',
    title: 'CHECK of a live attachment with its prevResult is quiet',
    async run(t) {
      const v = await checkVersion(t);
      const entry = await t.corpusOrFail(v);
      t.expectQuiet(await t.run('CHECK', { ...entry.config, prevResult: entry.result }, entry.container), `CHECK ${v}`);
    },
  },
  {
    id: 'C-65',
    title: 'CHECK right after ADD returns is quiet',
    async run(t) {
      const v = await checkVersion(t);
      const { container, config, result } = await t.add(v);
      t.expectQuiet(await t.run('CHECK', { ...config, prevResult: result }, container), 'CHECK immediately after ADD');
    },
  },
  {
    id: 'C-66',
    title: 'CHECK without prevResult',
    judging: {
      strict: 'E(any): the plugin must consult prevResult',
      compat: 'also quiet: IPAM plugins such as host-local check their own store',
    },
    async run(t) {
      const v = await checkVersion(t);
      const { container, config } = await t.add(v);
      const inv = await t.run('CHECK', config, container);
      if (t.mode === 'compat' && inv.exitCode === 0) return t.expectQuiet(inv, 'CHECK without prevResult');
      await t.expectError(inv, 'any', 'CHECK without prevResult');
    },
  },
  {
    id: 'C-67',
    title: "CHECK detects an attachment removed behind the plugin's back",
    async run(t) {
      const remove = t.session.removeOutOfBand?.bind(t.session);
      if (!remove) return t.skip("the profile cannot remove resources behind the plugin's back");
      const v = await checkVersion(t);
      const { container, config, result } = await t.add(v);
      await remove(container, t.network());
      await t.expectError(
        await t.run('CHECK', { ...config, prevResult: result }, container),
        'any',
        'CHECK after the attachment vanished',
      );
    },
  },
  {
    id: 'C-68',
    title: 'CHECK tolerates what later chained plugins added to prevResult',
    async run(t) {
      const v = await checkVersion(t);
      const { container, config, result } = await t.add(v);
      const versioned = compareVersions(v, '1.0.0') < 0 ? { version: '4' } : {};
      const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
      const interfaces = [...listOf(result.interfaces), { name: 'later0' }];
      const prev = {
        ...result,
        interfaces,
        ips: [...listOf(result.ips), { address: '192.0.2.9/24', interface: interfaces.length - 1, ...versioned }],
        routes: [...listOf(result.routes), { dst: '198.51.100.0/24' }],
      };
      t.expectQuiet(await t.run('CHECK', { ...config, prevResult: prev }, container), 'CHECK with later additions');
    },
  },
  {
    id: 'C-69',
    title: "CHECK calls the delegated plugin's CHECK",
    async run(t) {
      const d = requireDelegation(t);
      const v = await checkVersion(t);
      const config = d.config(v, t.network(), 'recording');
      const { container, result } = await delegatedAdd(t, d, v, config, `ADD ${v}`);
      t.expectQuiet(await t.run('CHECK', { ...config, prevResult: result }, container, delegationEnv(d)), 'CHECK');
      const checks = d.calls(config).filter((c) => c.command === 'CHECK' && c.containerId === container.containerId);
      t.check(checks.length === 1, "the IPAM plugin's calls", 'one CHECK for the container', `${checks.length}`);
      // The IPAM plugin's own state goes: CHECK must say so, from the delegate's answer.
      d.dropLease(config, container);
      await t.expectError(
        await t.run('CHECK', { ...config, prevResult: result }, container, delegationEnv(d)),
        'any',
        'CHECK after the lease vanished',
      );
      await delegatedDel(t, d, config, container, 'DEL');
    },
  },
  {
    id: 'C-70',
    title: 'CHECK with a different CNI_PATH is quiet',
    async run(t) {
      const v = await checkVersion(t);
      const entry = await t.corpusOrFail(v);
      const cniPath = `/nonexistent/cni/bin:${t.suite.env('CHECK', entry.container).CNI_PATH ?? ''}`;
      t.expectQuiet(
        await t.run('CHECK', { ...entry.config, prevResult: entry.result }, entry.container, { CNI_PATH: cniPath }),
        'CHECK with another CNI_PATH',
      );
    },
  },
  {
    id: 'C-71',
    title: 'prevResult parsing: no cniVersion is fine, malformed ones fail cleanly, DEL ignores them',
    judging: { strict: 'CHECK with "ips":{} is E(any)', compat: 'also quiet (a plugin that does not read prevResult)' },
    async run(t) {
      const v = await checkVersion(t);
      const { container, config, result } = await t.add(v);
      const { cniVersion: _omit, ...unversioned } = result;
      void _omit;
      t.expectQuiet(
        await t.run('CHECK', { ...config, prevResult: unversioned }, container),
        'CHECK with a prevResult lacking cniVersion',
      );
      const malformed = await t.run('CHECK', { ...config, prevResult: { cniVersion: v, ips: {} } }, container);
      if (t.mode === 'compat' && malformed.exitCode === 0) t.expectQuiet(malformed, 'CHECK with "ips": {}');
      else await t.expectError(malformed, 'any', 'CHECK with "ips": {}');
      const nulls = await t.run('CHECK', { ...config, prevResult: { cniVersion: v, ips: [null] } }, container);
      if (nulls.exitCode === 0) t.expectQuiet(nulls, 'CHECK with "ips": [null]');
      else await t.expectError(nulls, 'any', 'CHECK with "ips": [null]');
      const del = await t.run('DEL', { ...config, prevResult: 'garbage' }, container);
      if (del.exitCode === 0) t.expectQuiet(del, 'DEL with prevResult "garbage"');
      else await t.expectError(del, [6], 'DEL with prevResult "garbage"');
      await t.del(config, container, 'DEL');
    },
  },
];
