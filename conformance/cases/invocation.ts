/** A. Invocation, exit status, output channels; B. CNI_COMMAND (C-01 … C-08). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeInvocation, parseStdout, isObject } from '../judge';
import type { Case } from './types';
import { errorText, sameJson } from './util';

export const invocationCases: Case[] = [
  {
    id: 'C-01',
    title: 'self-contained executable: same behaviour from any working directory',
    async run(t) {
      const v = await t.version();
      const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'cni-conformance-cwd-'));
      fs.chmodSync(ro, 0o555);
      try {
        let first: unknown;
        for (const cwd of ['/', ro, os.tmpdir()]) {
          const c = await t.container();
          const ver = await t.run('VERSION', '{}', c, {}, cwd);
          const value = t.expectOk(ver, `VERSION from ${cwd}`);
          if (first === undefined) first = value;
          t.check(
            sameJson(first, value),
            `VERSION from ${cwd}`,
            'the same answer from every directory',
            JSON.stringify(value),
          );
          const config = t.config(v);
          const add = await t.run('ADD', config, c, {}, cwd);
          t.expectResult(add, v, `ADD from ${cwd}`);
          t.suite.track(c, config);
          await t.del(config, c, `DEL from ${cwd}`);
        }
      } finally {
        fs.rmSync(ro, { recursive: true, force: true });
      }
    },
  },
  {
    id: 'C-02',
    title: 'exit status: never killed by a signal, never hung, ordinary exit codes',
    aggregate: true,
    async run(t) {
      const log = t.suite.log;
      if (log.length === 0) t.skip('no invocations in this run');
      const bad = log.find((i) => i.signal !== null || i.timedOut || (i.exitCode !== null && i.exitCode >= 128));
      if (bad) t.fail(`one of ${log.length} invocations`, 'an exit status below 128', describeInvocation(bad));
    },
  },
  {
    id: 'C-03',
    title: 'errors are reported as an error object on stdout',
    async run(t) {
      const c = await t.container();
      await t.expectError(await t.run('ADD', 'notjson', c), [6], 'ADD with stdin "notjson"');
    },
  },
  {
    id: 'C-04',
    title: 'stdout holds at most one JSON document (no BOM, no trailing text); logs go to stderr',
    aggregate: true,
    async run(t) {
      const log = t.suite.log;
      if (log.length === 0) t.skip('no invocations in this run');
      for (const inv of log) {
        const p = parseStdout(inv);
        if (p.kind === 'invalid')
          t.fail(
            `one of ${log.length} invocations`,
            'stdout empty or one JSON document',
            `${p.reason} [${describeInvocation(inv)}]`,
          );
        if (p.kind === 'json' && !isObject(p.value))
          t.fail(`one of ${log.length} invocations`, 'a JSON object on stdout', describeInvocation(inv));
      }
    },
  },
  {
    id: 'C-05',
    title: 'error codes are spec codes or plugin codes (>= 100), never 0',
    aggregate: true,
    judging: { strict: 'codes 1–7, 11, 50, 51 or >= 100', compat: 'also 8 (Go ErrInvalidNetNS)' },
    async run(t) {
      const allowed = new Set([1, 2, 3, 4, 5, 6, 7, 11, 50, 51, ...(t.mode === 'compat' ? [8] : [])]);
      let seen = 0;
      for (const inv of t.suite.log) {
        if (inv.exitCode === 0) continue;
        const p = parseStdout(inv);
        if (p.kind !== 'json' || !isObject(p.value) || typeof p.value.code !== 'number') continue;
        seen += 1;
        const code = p.value.code;
        if (!(allowed.has(code) || code >= 100))
          t.fail(
            'error codes seen in this run',
            'a spec-defined code or one >= 100',
            `code ${code} [${describeInvocation(inv)}]`,
          );
      }
      if (seen === 0) t.skip('no error objects in this run');
    },
  },
  {
    id: 'C-06',
    title: 'command names are case-sensitive ("add" is unknown)',
    async run(t) {
      const c = await t.container();
      const e = await t.expectError(await t.run('add', t.config(await t.version()), c), [4], 'CNI_COMMAND=add');
      t.check(errorText(e).includes('add'), 'CNI_COMMAND=add', 'a message naming the command', errorText(e));
    },
  },
  {
    id: 'C-07',
    title: 'unknown CNI_COMMAND is error 4',
    async run(t) {
      const c = await t.container();
      const e = await t.expectError(await t.run('FOO', t.config(await t.version()), c), [4], 'CNI_COMMAND=FOO');
      t.check(errorText(e).includes('FOO'), 'CNI_COMMAND=FOO', 'a message naming the command', errorText(e));
    },
  },
  {
    id: 'C-08',
    title: 'missing CNI_COMMAND',
    // The spec says E(4); Go's skel prints its about text (containernetworking/cni pkg/skel): accept both in
    // every mode. They serve different readers (a runtime never omits the command; a person at a shell does).
    judging: { strict: 'E(4) naming CNI_COMMAND, or the Go skel answer', compat: 'the same' },
    async run(t) {
      const c = await t.container();
      const inv = await t.run(null, t.config(await t.version()), c);
      if (inv.exitCode === 0 && inv.stdout.trim() === '' && inv.stderr.trim() !== '') return;
      const e = await t.expectError(inv, [4], 'no CNI_COMMAND');
      t.check(errorText(e).includes('CNI_COMMAND'), 'no CNI_COMMAND', 'a message naming CNI_COMMAND', errorText(e));
    },
  },
];
