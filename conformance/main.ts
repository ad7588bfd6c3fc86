/**
 * conformance/run: the CNI spec as an executable suite against any plugin executable. Prints one line
 * per case, then "N passed, N failed, N skipped"; exits 1 when a case failed, 2 on a usage error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_CASES } from './cases';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli-args';
import { Suite } from './context';
import { openGenericProfile } from './profiles/generic';
import { openNatProfile } from './profiles/nat';
import type { ProfileSession } from './profiles/types';
import { buildReport, outcomeLine, summaryLine } from './report';
import { runCases, selectCases } from './runner';

const print = (s: string): void => {
  fs.writeSync(1, `${s}\n`);
};

function openProfile(opts: CliOptions): Promise<ProfileSession> {
  return opts.profile === 'nat'
    ? openNatProfile({
        hns: opts.hns,
        hnsSim: opts.hnsSim,
        hnsFfi: opts.hnsFfi,
        observe: opts.observe,
        observeLibrary: opts.observeLibrary,
        bundleDir: __dirname,
        ...(opts.ipamPath ? { ipamPath: opts.ipamPath, pluginDir: path.dirname(opts.plugin) } : {}),
      })
    : openGenericProfile({ plugin: opts.plugin, configTemplate: opts.config });
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCliArgs(argv, __dirname);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    fs.writeSync(2, `${e.message ? `conformance: ${e.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const cases = selectCases(ALL_CASES, opts.only);
  if (opts.list) {
    for (const c of cases) print(`${c.id.padEnd(6)} ${c.title}${c.modes ? ` [${c.modes.join('/')} only]` : ''}`);
    return 0;
  }
  if (cases.length === 0) {
    fs.writeSync(2, `conformance: --only ${opts.only?.join(',')} selects no case\n`);
    return 2;
  }
  const stat = fs.statSync(opts.plugin, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    fs.writeSync(2, `conformance: plugin not found: ${opts.plugin}\n`);
    return 2;
  }
  const started = Date.now();
  const session = await openProfile(opts);
  try {
    const suite = new Suite(
      {
        plugin: opts.plugin,
        mode: opts.mode,
        versions: opts.versions,
        timeoutMs: opts.timeoutMs,
        parallel: opts.parallel,
      },
      session,
    );
    print(`# ${opts.plugin}: ${session.describe()}, ${opts.mode} mode, versions ${opts.versions.join(',')}`);
    const outcomes = await runCases(suite, cases, opts.jobs, (o) => print(outcomeLine(o)));
    print(summaryLine(outcomes));
    if (opts.report) {
      const report = buildReport(
        {
          plugin: opts.plugin,
          profile: opts.profile,
          mode: opts.mode,
          versions: opts.versions,
          supportedVersions: (await suite.supported()) ?? null,
          session: session.describe(),
          durationMs: Date.now() - started,
        },
        outcomes,
      );
      fs.writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
    }
    return outcomes.some((o) => o.status === 'FAIL') ? 1 : 0;
  } finally {
    await session.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    fs.writeSync(2, `conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
