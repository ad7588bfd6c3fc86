/** G. ADD (C-34 … C-52): the result of every version, judged by the suite's own validators. */
import type { T } from '../context';
import { isObject } from '../judge';
import { containerInterfaceFindings, validateResult } from '../results';
import { compareVersions, hasChaining, hasCheck, resultFamily } from '../versions';
import type { Case } from './types';
import {
  errorText,
  requireInterfacePlugin,
  requireObservation,
  resultAddresses,
  sameJson,
  versionsOrSkip,
} from './util';
import { delegatedAdd, delegatedDel, delegationEnv, requireDelegation } from './delegation';

/**
 * A case judging one checklist id on the ADD result of each selected version (one shared ADD per
 * version). Skips when no result held anything that id is about.
 */
function resultCase(
  id: string,
  title: string,
  which: (v: string) => boolean,
  opts: { strictOnly?: boolean } = {},
): Case {
  return {
    id,
    title,
    ...(opts.strictOnly ? { modes: ['strict'] as const } : {}),
    async run(t: T) {
      const versions = await versionsOrSkip(t, which, 'for this check');
      let checked = false;
      for (const v of versions) {
        const entry = await t.corpusOrFail(v);
        const { findings, checked: ids } = validateResult(entry.result, { version: v, mode: t.mode });
        if (ids.has(id)) checked = true;
        const mine = findings.filter((f) => f.id === id);
        if (mine.length > 0)
          t.fail(`ADD ${v}`, title, `${mine.map((f) => f.msg).join('; ')} in ${JSON.stringify(entry.result)}`);
      }
      if (!checked) t.skip(`no ADD result carried anything ${id} is about`);
    },
  };
}

const all = (): boolean => true;
const modern = (v: string): boolean => resultFamily(v) !== 'legacy-ip4';

export const addCases: Case[] = [
  {
    id: 'C-34',
    title: 'ADD succeeds and prints a result',
    async run(t) {
      const v = await t.version();
      const { container } = await t.add(v);
      if (t.session.observes) await t.expectFootprint(container, true, 'after ADD');
      await t.expectAttachment(container, 'after ADD');
    },
  },
  resultCase('C-35', 'the result carries the requested cniVersion', all),
  resultCase('C-36', 'the 1.0.0 result schema', (v) => v === '1.0.0'),
  resultCase('C-37', 'ips[].address (ip4/ip6.ip) is address/prefix', all),
  resultCase('C-38', 'gateway and gw are IP literals of the right family', all),
  resultCase('C-39', 'ips[].interface is an integer index into interfaces', modern),
  {
    id: 'C-40',
    title: 'the container interface: name CNI_IFNAME, sandbox CNI_NETNS, ips point at it',
    judging: {
      strict: 'name and sandbox match, every ip carries its index',
      compat: 'name matches; sandbox and index may be omitted (Windows plugins)',
    },
    async run(t) {
      await requireInterfacePlugin(t);
      for (const v of await versionsOrSkip(t, modern, 'with an interfaces list (>= 0.3.0)')) {
        const entry = await t.corpusOrFail(v);
        const problems = containerInterfaceFindings(entry.result, 'eth0', entry.container.netns, t.mode);
        if (problems.length > 0)
          t.fail(
            `ADD ${v}`,
            'the container interface described',
            `${problems.join('; ')} in ${JSON.stringify(entry.result)}`,
          );
      }
    },
  },
  resultCase('C-41', 'interfaces[].mac is a printable hardware address', modern),
  resultCase('C-42', 'dns: nameservers are IP literals, search and options string lists', all),
  resultCase('C-43', 'routes[].dst is address/prefix', all),
  {
    id: 'C-44',
    title: "ADD with a prevResult outputs it, with the plugin's own additions",
    async run(t) {
      await requireInterfacePlugin(t);
      const [v] = (await versionsOrSkip(t, hasChaining, 'with chaining (>= 0.3.0)')).slice(-1) as [string];
      const prev = {
        cniVersion: v,
        interfaces: [{ name: 'foreign0', mac: '0a:58:0a:00:00:01' }],
        ips: [
          {
            address: '192.0.2.10/24',
            gateway: '192.0.2.1',
            interface: 0,
            ...(resultFamily(v) === 'ips-versioned' ? { version: '4' } : {}),
          },
        ],
        routes: [{ dst: '198.51.100.0/24', gw: '192.0.2.1' }],
        dns: { nameservers: ['192.0.2.53'] },
      };
      const { result } = await t.add(v, { extra: { prevResult: prev }, step: `ADD ${v} with a prevResult` });
      const ifaces = Array.isArray(result.interfaces) ? result.interfaces : [];
      const idx = ifaces.findIndex((i) => sameJson(i, prev.interfaces[0]));
      t.check(idx >= 0, 'ADD with prevResult', 'the prevResult interface in the result', JSON.stringify(result));
      const ips = Array.isArray(result.ips) ? result.ips.filter(isObject) : [];
      t.check(
        ips.some((ip) => ip.address === '192.0.2.10/24' && ip.interface === idx),
        'ADD with prevResult',
        'the prevResult ip, still pointing at its interface',
        JSON.stringify(result),
      );
      const routes = Array.isArray(result.routes) ? result.routes : [];
      t.check(
        routes.some((r) => sameJson(r, prev.routes[0])),
        'ADD with prevResult',
        'the prevResult route',
        JSON.stringify(result),
      );
      const ns = isObject(result.dns) && Array.isArray(result.dns.nameservers) ? result.dns.nameservers : [];
      t.check(ns.includes('192.0.2.53'), 'ADD with prevResult', 'the prevResult nameserver', JSON.stringify(result));
    },
  },
  {
    id: 'C-45',
    title: 'a second ADD of the same attachment without DEL',
    judging: {
      strict: 'E(any), state unchanged',
      compat: 'also OK with the same result (Windows plugins reuse the endpoint)',
    },
    async run(t) {
      const v = await t.version();
      const { container, config, result } = await t.add(v);
      const before = await t.footprint(container);
      const inv = await t.run('ADD', config, container);
      if (t.mode === 'compat' && inv.exitCode === 0) {
        const again = t.expectResult(inv, v, 'second ADD');
        t.check(sameJson(again, result), 'second ADD', 'the same result as the first ADD', JSON.stringify(again));
      } else {
        await t.expectError(inv, 'any', 'second ADD');
      }
      const after = await t.footprint(container);
      t.check(
        sameJson(before, after),
        'after the second ADD',
        'the attachment unchanged',
        `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
      );
    },
  },
  {
    id: 'C-46',
    title: 'a second interface for the same container (eth1); DEL eth1 leaves eth0 intact',
    async run(t) {
      await requireObservation(t);
      const v = await t.version();
      const { container, config, result } = await t.add(v);
      const inv = await t.run('ADD', config, container, { CNI_IFNAME: 'eth1' });
      if (inv.exitCode !== 0) {
        // A documented single-attachment limit is allowed, as a clear error.
        await t.expectError(inv, 'any', 'ADD eth1');
      } else {
        t.expectResult(inv, v, 'ADD eth1');
        t.suite.track(container, config, 'eth1');
        await t.del(config, container, 'DEL eth1', { CNI_IFNAME: 'eth1' });
      }
      await t.expectFootprint(container, true, 'eth0 after eth1 came and went');
      if (hasCheck(v)) t.expectQuiet(await t.run('CHECK', { ...config, prevResult: result }, container), 'CHECK eth0');
    },
  },
  resultCase(
    'C-47',
    'legacy result shapes (0.1.0/0.2.0 ip4/ip6; 0.3.x/0.4.0 ips[].version)',
    (v) => compareVersions(v, '1.0.0') < 0,
  ),
  {
    id: 'C-48',
    title: 'delegated IPAM results of any version are accepted',
    async run(t) {
      const d = requireDelegation(t);
      // host-local (a Go IPAM plugin, spec up to 1.0.0) and the recording plugin answer in the config's version.
      const plugins = (v: string) => [
        ...(d.hostLocal && compareVersions(v, '1.0.0') <= 0 ? ['host-local' as const] : []),
        'recording' as const,
      ];
      for (const v of await t.versions()) {
        for (const plugin of plugins(v)) {
          const config = d.config(v, t.network(plugin), plugin);
          const { container, result } = await delegatedAdd(t, d, v, config, `ADD ${v} delegating to ${plugin}`);
          const addresses = resultAddresses(result);
          t.check(
            addresses.length > 0,
            `ADD ${v} delegating to ${plugin}`,
            'the address the IPAM plugin allocated',
            JSON.stringify(result),
          );
          await t.expectAttachment(container, `ADD ${v} delegating to ${plugin}`);
          await delegatedDel(t, d, config, container, `DEL ${v} delegating to ${plugin}`);
        }
      }
    },
  },
  {
    id: 'C-49',
    title: 'delegation: same environment, complete configuration',
    async run(t) {
      const d = requireDelegation(t);
      const v = await t.version();
      const config = d.config(v, t.network(), 'recording');
      const c = await t.container();
      const extra = { CNI_ARGS: 'IgnoreUnknown=1;CONFORMANCE_CASE=C-49' };
      const sent = t.suite.env('ADD', c, delegationEnv(d, extra));
      t.expectResult(await t.run('ADD', config, c, delegationEnv(d, extra)), v, `ADD ${v}`);
      const add = d.calls(config).find((call) => call.command === 'ADD' && call.containerId === c.containerId);
      if (!add) return t.fail("the IPAM plugin's calls", 'an ADD for the container', JSON.stringify(d.calls(config)));
      t.check(
        sameJson(add.stdin, config),
        "the IPAM plugin's stdin",
        'the configuration exactly as the runtime sent it',
        JSON.stringify(add.stdin),
      );
      const differ = Object.entries(sent)
        .filter(([k, value]) => k !== 'CNI_COMMAND' && add.env[k] !== value)
        .map(([k]) => k);
      t.check(
        differ.length === 0,
        "the IPAM plugin's environment",
        'every variable the runtime set, unchanged but CNI_COMMAND',
        `differs: ${differ.join(', ')}`,
      );
      await delegatedDel(t, d, config, c, `DEL ${v}`);
    },
  },
  {
    id: 'C-50',
    title: 'delegate stderr is forwarded',
    async run(t) {
      const d = requireDelegation(t);
      const v = await t.version();
      const config = d.config(v, t.network(), 'recording');
      const c = await t.container();
      const inv = await t.run('ADD', config, c, delegationEnv(d));
      t.expectResult(inv, v, `ADD ${v}`);
      // The recording plugin prints one line per call on its stderr.
      const line = `recording-ipam: ADD ${c.containerId}`;
      t.check(
        inv.stderr.includes(line),
        "the plugin's stderr",
        `the IPAM plugin's "${line}"`,
        JSON.stringify(inv.stderr.slice(0, 500)),
      );
      await delegatedDel(t, d, config, c, `DEL ${v}`);
    },
  },
  {
    id: 'C-51',
    title: 'delegate errors propagate',
    async run(t) {
      const d = requireDelegation(t);
      const v = await t.version();
      const msg = 'conformance: the address pool is exhausted';
      const config = d.config(v, t.network(), 'recording', { fail: { ADD: { code: 11, msg } } });
      const c = await t.container();
      const e = await t.expectError(
        await t.run('ADD', config, c, delegationEnv(d)),
        [11],
        'ADD whose IPAM plugin fails with code 11',
      );
      t.check(errorText(e).includes(msg), 'the error', `the IPAM plugin's message "${msg}"`, errorText(e));
      await t.expectFootprint(c, false, 'after the ADD the IPAM plugin failed');
      await delegatedDel(t, d, config, c, 'DEL after the failed ADD');
    },
  },
  {
    id: 'C-52',
    // The provoked failure (e.g. an injected fault) must hit this case's ADD, not another case's.
    exclusive: true,
    title: 'a failed ADD leaves nothing behind',
    async run(t) {
      await requireObservation(t);
      const provoke = t.session.provokeAddFailure?.bind(t.session);
      if (!provoke) return t.skip('the profile cannot make an ADD fail half-way');
      const v = await t.version();
      const c = await t.container();
      const snapshotBefore = await t.footprint(c);
      const provoked = await provoke(v, t.network(), c, (cmd, stdin, cc, env) => t.run(cmd, stdin, cc, env ?? {}));
      try {
        await t.expectError(await t.run('ADD', provoked.config, c), 'any', 'ADD that cannot complete');
        const after = await t.footprint(c);
        t.check(sameJson(snapshotBefore, after), 'after the failed ADD', 'nothing of the attachment', after.join('; '));
      } finally {
        await provoked.undo();
      }
    },
  },
];
