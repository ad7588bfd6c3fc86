/**
 * The fault matrix (see matrix.ts) as part of `make test`. NAT_CNI_FAULT_MATRIX=full tries every
 * position instead of the CI sample; NAT_CNI_FAULT_MATRIX_CALLS=1 prints each command's HCN calls;
 * NAT_CNI_FAULT_MATRIX_ONLY=text runs only the cases whose label contains the text (when debugging).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPluginAndSim } from '../process/harness';
import { FAULT_KINDS, SCENARIOS, chooseCases, pool, prepare, runCase, tempRoot, type CaseResult } from './matrix';

let root: string;
beforeAll(() => {
  buildPluginAndSim();
  root = tempRoot();
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('leaves no HNS object behind and reports no false success under any single fault of any HCN call', async () => {
  const prepared = await pool(SCENARIOS, 2, (s) => prepare(s, root));
  if (process.env.NAT_CNI_FAULT_MATRIX_CALLS)
    for (const p of prepared) console.log(`${p.scenario.name}: ${p.calls.join(' ')}`);
  const cases = chooseCases(prepared, process.env.NAT_CNI_FAULT_MATRIX === 'full');

  // Every call kind any command makes meets every fault kind, and so does every command.
  const tried = new Set(cases.map((c) => `${c.position.fn} ${c.kind.name}`));
  const scenarioKinds = new Set(cases.map((c) => `${c.prepared.scenario.name} ${c.kind.name}`));
  for (const fn of new Set(prepared.flatMap((p) => p.calls)))
    for (const k of FAULT_KINDS) expect(tried).toContain(`${fn} ${k.name}`);
  for (const s of SCENARIOS) for (const k of FAULT_KINDS) expect(scenarioKinds).toContain(`${s.name} ${k.name}`);

  const only = process.env.NAT_CNI_FAULT_MATRIX_ONLY;
  const chosen = only
    ? cases.filter((c) =>
        `${c.prepared.scenario.name} | ${c.kind.name} at ${c.position.fn} #${c.position.nth}`.includes(only),
      )
    : cases;
  const started = Date.now();
  const results = await pool(chosen, 3, (c) => runCase(c, root));
  const count = (v: CaseResult['verdict']) => results.filter((r) => r.verdict === v).length;
  console.log(
    `fault matrix: ${results.length} cases, ${count('clean')} clean, ${count('leak')} leaks, ${count('false success')} false successes`,
  );
  console.log(
    `fault matrix: ${count('wrong diagnosis')} wrong diagnoses, ${count('invalid answer')} invalid answers, ` +
      `${count('no recovery')} without recovery; ${SCENARIOS.length} commands, ${FAULT_KINDS.length} fault kinds, ` +
      `${new Set(prepared.flatMap((p) => p.calls)).size} call kinds, ${Math.round((Date.now() - started) / 1000)} s`,
  );
  const bad = results.filter((r) => r.verdict !== 'clean').map((r) => `${r.verdict}: ${r.label}: ${r.detail}`);
  for (const line of bad) console.log(line);
  expect(count('leak')).toBe(0);
  expect(count('false success')).toBe(0);
  expect(bad).toEqual([]);
}, 600_000);
