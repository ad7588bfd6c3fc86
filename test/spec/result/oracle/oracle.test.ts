/**
 * The strongest check: libcni's own converters (Go, Debian's libcni 1.1.2 sources, built offline)
 * run on generated results and compared with ours, byte for byte after re-parsing (Go escapes
 * `<>&` in strings, which is the printer's business, not the model's). Covers every version up to
 * 1.0.0; libcni 1.1.2 knows no 1.1.0, so 1.1.0 results are fed to it labelled 1.0.0, which also
 * checks that the 1.1.0-only fields are dropped the way libcni drops them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError } from '../../../../spec/errors';
import { convertResult, decodeResult, encodeResult, type Result } from '../../../../spec/result';
import type { CniVersion } from '../../../../spec/versions';
import { ipv6Groups, resultArb } from '../arbitraries';

const LIBCNI = '/usr/share/gocode/src/github.com/containernetworking/cni/pkg/types/create';
const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' });
const missing =
  goVersion.error !== undefined || goVersion.status !== 0
    ? 'go is not installed (Debian golang-go)'
    : !existsSync(LIBCNI)
      ? 'libcni sources are not installed (Debian golang-github-appc-cni-dev)'
      : undefined;

const GO_VERSIONS: CniVersion[] = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];

type Case = { from: string; to: string; json: unknown };
type Answer = { ok: boolean; out?: unknown; err?: string };

let workDir = '';
let oracle = '';

function runOracle(cases: Case[]): Answer[] {
  const res = spawnSync(oracle, [], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (res.status !== 0) throw new Error(`oracle failed: ${res.stderr}`);
  const lines = res.stdout.trim().split('\n');
  expect(lines).toHaveLength(cases.length);
  return lines.map((l) => JSON.parse(l) as Answer);
}

/** Ours, in the oracle's answer form. */
function ours(fn: () => Record<string, unknown>): Answer {
  try {
    return { ok: true, out: fn() };
  } catch (e) {
    if (!(e instanceof CniError)) throw e;
    return { ok: false, err: e.msg };
  }
}

function compare(cases: Case[], expected: Answer[]): void {
  const got = runOracle(cases);
  const mismatches: string[] = [];
  got.forEach((g, i) => {
    const e = expected[i]!;
    const same = g.ok === e.ok && (g.ok ? JSON.stringify(g.out) === JSON.stringify(e.out) : true);
    if (!same)
      mismatches.push(`${JSON.stringify(cases[i])}\n  libcni: ${JSON.stringify(g)}\n  ours:   ${JSON.stringify(e)}`);
  });
  expect(mismatches.slice(0, 5).join('\n')).toBe('');
}

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] => fc.sample(arb, { numRuns: n, seed });

describe.skipIf(missing !== undefined)(`libcni 1.1.2 as an oracle${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'nat-cni-oracle-'));
    oracle = join(workDir, 'oracle');
    const gocache = join(tmpdir(), 'nat-cni-oracle-gocache');
    mkdirSync(gocache, { recursive: true });
    const build = spawnSync('go', ['build', '-o', oracle, '.'], {
      cwd: __dirname,
      encoding: 'utf8',
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH: '/usr/share/gocode',
        GOPROXY: 'off',
        GOFLAGS: '',
        GOCACHE: gocache,
      },
    });
    if (build.status !== 0) throw new Error(`building the oracle failed:\n${build.stderr}`);
  }, 120_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const models: Result[] = sample(resultArb, 200, 42);

  it('encodes every model for every version as libcni converts it from 1.0.0', () => {
    const cases: Case[] = [];
    const expected: Answer[] = [];
    for (const r of models) {
      // The full 1.1.0 form labelled 1.0.0: libcni 1.1.2 drops what 1.0.0 has no field for.
      const json = { ...encodeResult(r, '1.1.0'), cniVersion: '1.0.0' };
      for (const to of GO_VERSIONS) {
        cases.push({ from: '1.0.0', to, json });
        expected.push(ours(() => encodeResult(r, to)));
      }
    }
    compare(cases, expected);
  });

  it('converts between every pair of versions as libcni does', () => {
    const cases: Case[] = [];
    const expected: Answer[] = [];
    for (const r of models.slice(0, 80)) {
      for (const from of GO_VERSIONS) {
        let json: Record<string, unknown>;
        try {
          json = encodeResult(r, from);
        } catch {
          continue; // no address: nothing to express in 0.1.0/0.2.0
        }
        for (const to of GO_VERSIONS) {
          cases.push({ from, to, json });
          expected.push(ours(() => convertResult(json, from, to)));
        }
      }
    }
    compare(cases, expected);
  });

  /** Address text from anywhere in the space: random characters, and structured near-misses. */
  const chars = fc.constantFrom(...'0123456789abcdefABCDEF:./%x '.split(''));
  const structured = fc
    .tuple(
      ipv6Groups,
      fc.integer({ min: -1, max: 8 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 140 }),
      fc.constantFrom('', '0', '00'),
      fc.boolean(),
    )
    .map(([g, cut, v4tail, pad, prefix, zeros, upper]) => {
      const hex = g.map((x) => x.toString(16).padStart(pad, '0'));
      const groups = v4tail ? [...hex.slice(0, 6), `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`] : hex;
      let text = groups.join(':');
      if (cut >= 0 && cut < groups.length - 1)
        text = `${groups.slice(0, cut).join(':')}::${groups.slice(cut + 2).join(':')}`;
      if (upper) text = text.toUpperCase();
      return `${text}/${zeros}${prefix}`;
    });
  const ipv4ish = fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 }),
      fc.integer({ min: 0, max: 40 }),
      fc.boolean(),
    )
    .map(([parts, prefix, lead]) => `${parts.map((p, i) => (lead && i === 1 ? `0${p}` : `${p}`)).join('.')}/${prefix}`);
  const addressText = fc.oneof(
    fc.string({ unit: chars, maxLength: 24 }),
    structured,
    ipv4ish,
    structured.map((s) => `::ffff:${s.split(':').at(-1)}`),
  );

  it('accepts and prints exactly the addresses Go accepts and prints', () => {
    const cases: Case[] = [];
    const expected: Answer[] = [];
    const texts = sample(fc.tuple(addressText, addressText), 3000, 7);
    for (const [a, b] of texts) {
      const gw = b.split('/')[0]!;
      const json = {
        cniVersion: '1.0.0',
        ips: [{ address: a, gateway: gw }],
        routes: [{ dst: b, gw: a.split('/')[0]! }],
      };
      for (const to of ['1.0.0', '0.2.0'] as const) {
        cases.push({ from: '1.0.0', to, json });
        expected.push(ours(() => encodeResult(decodeResult(json, '1.0.0'), to)));
      }
    }
    const accepted = expected.filter((e) => e.ok).length;
    // The generators must reach both sides of the grammar for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(300);
    expect(expected.length - accepted).toBeGreaterThan(300);
    compare(cases, expected);
  });
});
