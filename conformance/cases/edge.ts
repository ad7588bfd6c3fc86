/**
 * Edge cases seen in the wild (the checklist's edge cases, COVERAGE.md), numbered S5-<n>. Items already
 * covered by a C- or X- case are listed in COVERAGE.md instead of being run twice.
 */
import { describeInvocation, isObject, parseStdout } from '../judge';
import { hasCheck } from '../versions';
import type { Case } from './types';
import { require11 } from './util';

/** Node and Go crash signatures: an uncaught exception's stack, a Go panic. */
const STACK_TRACE =
  /(^|\n)\s+at .+(\(|\s)(node:|\/|[A-Za-z]:\\).*:\d+:\d+\)?|(^|\n)panic: |goroutine \d+ \[|Uncaught \w*Error|UnhandledPromiseRejection/;

export const edgeCases: Case[] = [
  {
    id: 'S5-4',
    title: 'no crashes: no stack trace in any output, every failure has an error object',
    aggregate: true,
    async run(t) {
      const log = t.suite.log;
      if (log.length === 0) t.skip('no invocations in this run');
      for (const inv of log) {
        if (STACK_TRACE.test(inv.stdout) || STACK_TRACE.test(inv.stderr))
          t.fail(`one of ${log.length} invocations`, 'no stack trace or panic', describeInvocation(inv));
        if (inv.exitCode !== 0 && inv.command !== '<unset>' && parseStdout(inv).kind === 'empty')
          t.fail(`one of ${log.length} invocations`, 'an error object with every failure', describeInvocation(inv));
      }
    },
  },
  {
    id: 'S5-5',
    title: 'debug logging never reaches stdout',
    async run(t) {
      const v = await t.version();
      const debug = { DEBUG: '*', NAT_CNI_DEBUG: '1', NAT_CNI_LOG_LEVEL: 'debug', CNI_LOG_LEVEL: 'debug' };
      const c = await t.container();
      const config = t.config(v);
      t.expectResult(await t.run('ADD', config, c, debug), v, 'ADD with debug logging on');
      t.suite.track(c, config);
      await t.del(config, c, 'DEL with debug logging on', debug);
    },
  },
  {
    id: 'S5-9',
    title: 'null where an object is expected: no crash on input, no null in output',
    async run(t) {
      const vs = await t.versions();
      for (const v of vs) {
        const entry = await t.corpusOrFail(v);
        const nulls = JSON.stringify(entry.result).includes('null');
        t.check(!nulls, `ADD ${v}`, 'no null in the result', JSON.stringify(entry.result));
      }
      const v = vs.filter(hasCheck).pop();
      if (!v) return;
      const entry = await t.corpus(v);
      if (!entry) return;
      const inv = await t.run(
        'CHECK',
        { ...entry.config, prevResult: { cniVersion: v, interfaces: [null], ips: [null], routes: [null] } },
        entry.container,
      );
      if (inv.exitCode === 0) t.expectQuiet(inv, 'CHECK with null elements in prevResult');
      else await t.expectError(inv, 'any', 'CHECK with null elements in prevResult');
    },
  },
  {
    id: 'S5-11',
    title: 'no invocation hangs (every call finished within the timeout)',
    aggregate: true,
    async run(t) {
      const log = t.suite.log;
      if (log.length === 0) t.skip('no invocations in this run');
      const hung = log.find((i) => i.timedOut);
      if (hung)
        t.fail(
          `one of ${log.length} invocations`,
          `completion within ${t.suite.opts.timeoutMs} ms`,
          describeInvocation(hung),
        );
    },
  },
  {
    id: 'S5-12',
    title: 'a retried ADD after DEL (same container id) works',
    async run(t) {
      const v = await t.version();
      const first = await t.add(v);
      await t.del(first.config, first.container, 'DEL');
      await t.add(v, { container: first.container, step: 'ADD again with the same container id' });
    },
  },
  {
    id: 'S5-14',
    exclusive: true,
    title: 'STATUS is stable and changes nothing',
    async run(t) {
      await require11(t);
      const before = await t.session.snapshot();
      for (let i = 1; i <= 5; i++) {
        t.expectQuiet(
          await t.run(
            'STATUS',
            t.config('1.1.0'),
            { containerId: '', netns: '' },
            { CNI_CONTAINERID: null, CNI_NETNS: null, CNI_IFNAME: null },
          ),
          `STATUS #${i}`,
        );
      }
      t.check(
        before === (await t.session.snapshot()),
        'after five STATUS calls',
        'the plugin state unchanged',
        'it changed',
      );
    },
  },
  {
    id: 'S5-19',
    title: 'key order and formatting of the configuration do not matter',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      const reversed = Object.fromEntries(Object.entries(config).reverse());
      const c = await t.container();
      t.expectResult(
        await t.run('ADD', JSON.stringify(reversed, null, 4), c),
        v,
        'ADD with keys reversed and indented',
      );
      t.suite.track(c, config);
    },
  },
  {
    id: 'S5-20',
    title: 'duplicate keys: the last one wins',
    async run(t) {
      const v = await t.version();
      const config = t.config(v);
      const body = JSON.stringify(config).slice(1, -1);
      const c = await t.container();
      t.expectResult(
        await t.run('ADD', `{"name":"bad name",${body}}`, c),
        v,
        'ADD with an invalid first "name" and a valid last one',
      );
      t.suite.track(c, config);
      await t.expectError(
        await t.run('ADD', `{${body},"name":"bad name"}`, await t.container()),
        [7],
        'ADD with a valid first "name" and an invalid last one',
      );
    },
  },
  {
    id: 'S5-21',
    title: 'very large inputs: 1 MiB configuration, 100 KiB CNI_ARGS, 10 000 port mappings',
    async run(t) {
      const v = await t.version();
      // Each attachment is removed again at once: left in place, their bulk would slow every later case.
      const padded = await t.add(v, {
        extra: { 'x-conformance-padding': 'p'.repeat(1 << 20) },
        step: 'ADD with a 1 MiB configuration',
      });
      await t.del(padded.config, padded.container, 'DEL with a 1 MiB configuration');
      const c = await t.container();
      const config = t.config(v);
      const args = { CNI_ARGS: `IgnoreUnknown=1;CONFORMANCE_PAD=${'a'.repeat(100 * 1024)}` };
      t.expectResult(await t.run('ADD', config, c, args), v, 'ADD with 100 KiB of CNI_ARGS');
      t.suite.track(c, config);
      await t.del(config, c, 'DEL with 100 KiB of CNI_ARGS', args);
      const mappings = Array.from({ length: 10_000 }, (_, i) => ({
        hostPort: 20000 + i,
        containerPort: 80,
        protocol: 'tcp',
      }));
      const mapped = await t.add(v, {
        extra: { runtimeConfig: { portMappings: mappings } },
        step: 'ADD with 10 000 port mappings',
      });
      await t.del(mapped.config, mapped.container, 'DEL with 10 000 port mappings');
    },
  },
  {
    id: 'S5-22',
    title: 'unicode where it is legal (labels, CNI_ARGS values, DNS search) is accepted',
    async run(t) {
      const v = await t.version();
      const c = await t.container();
      const config = t.config(v, undefined, {
        args: { cni: { labels: [{ key: 'app', value: 'café-☕' }] } },
        runtimeConfig: { dns: { servers: ['192.0.2.53'], searches: ['bücher.example'] } },
      });
      const r = t.expectResult(
        await t.run('ADD', config, c, { CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=café' }),
        v,
        'ADD with unicode labels, CNI_ARGS and DNS search',
      );
      t.suite.track(c, config);
      if (t.session.kind === 'interface' && isObject(r.dns) && Array.isArray(r.dns.search) && r.dns.search.length > 0) {
        t.check(
          r.dns.search.includes('bücher.example'),
          'ADD with a unicode DNS search',
          'the search domain unchanged',
          JSON.stringify(r.dns),
        );
      }
    },
  },
  {
    id: 'S5-24',
    title: 'no error object is printed with exit status 0',
    aggregate: true,
    async run(t) {
      const log = t.suite.log;
      if (log.length === 0) t.skip('no invocations in this run');
      for (const inv of log) {
        if (inv.exitCode !== 0) continue;
        const p = parseStdout(inv);
        if (p.kind === 'json' && isObject(p.value) && typeof p.value.code === 'number' && 'msg' in p.value) {
          t.fail(
            `one of ${log.length} invocations`,
            'a non-zero exit status with an error object',
            describeInvocation(inv),
          );
        }
      }
    },
  },
];
