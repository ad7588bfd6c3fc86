/** Command-line options of `conformance/run`. */
import * as path from 'node:path';
import { KNOWN_VERSIONS } from './versions';
import type { Mode } from './judge';

export interface CliOptions {
  plugin: string;
  profile: 'generic' | 'nat';
  mode: Mode;
  versions: string[];
  report?: string;
  only?: string[];
  config?: string;
  hnsSim: string;
  /** nat profile: reach the simulator through `hns-sim serve` and this HCN library (NAT_CNI_HNS=ffi:LIB). */
  hnsFfi?: string;
  /** nat profile: a fresh simulator (default) or the HNS that is there, through the HCN API only. */
  hns: 'simulator' | 'host';
  observe?: 'dump' | 'hcn';
  observeLibrary?: string;
  /** nat profile: the delegated-IPAM mode's plugin folders (recording-ipam, host-local). */
  ipamPath?: string[];
  timeoutMs: number;
  parallel: number;
  jobs: number;
  list: boolean;
}

export const USAGE = `usage: conformance/run --plugin PATH [--profile generic|nat] [--mode strict|compat]
       [--versions 0.3.1,1.0.0,...] [--report FILE] [--only ID,...]
       [--config TEMPLATE.json] [--hns-sim PATH] [--hns-ffi LIBRARY] [--hns simulator|host]
       [--observe dump|hcn] [--observe-library LIBRARY] [--ipam-path DIRS] [--timeout-ms N] [--parallel N]
       [--jobs N] [--list]

  --profile generic  any plugin; the default configuration is an IPAM one (host-local style),
                     --config replaces it (cniVersion and name are set by the suite,
                     \${STATE_DIR} becomes a private state folder)
  --profile nat      the nat plugin against a fresh HNS simulator state (--hns-sim, default
                     dist/hns-sim next to this bundle)
  --hns-ffi LIBRARY  nat profile: the plugin reaches that simulator through the fake HCN library
                     LIBRARY (NAT_CNI_HNS=ffi:LIBRARY, as the plugin will open it: a Windows path
                     for nat.exe under Wine) and \`hns-sim serve\`, instead of NAT_CNI_HNS=sim:DIR
  --hns host         nat profile: no simulator of its own; the HNS that is there (a Windows host's,
                     or the \`hns-sim serve\` that NAT_CNI_HNS_SIM_ADDR names), through the HCN API
                     only; own network names (natcni-conf-*) and a free 10.x.0.0/16; no fault
                     injection (those cases skip); everything created is removed at the end
  --observe hcn      read HNS state through the HCN API (the default whenever the plugin talks to a
                     library and one loads here), or \`dump\` (hns-sim dump, simulator only)
  --observe-library LIBRARY
                     the HCN library the suite loads to observe (default: --hns-ffi if it loads
                     here, System32's computenetwork.dll on Windows, dist/libcomputenetwork.so)
  --ipam-path DIRS   nat profile: the delegated-IPAM cases (C-48…C-51, C-69, X-13, X-22) delegate to
                     the IPAM plugins in these folders (a CNI_PATH-style list): recording-ipam (make
                     build/test-plugins/recording-ipam) and, where installed, host-local
  --mode strict      the spec where it and the Go ecosystem differ (default)
  --mode compat      accept Go skel / libcni behaviour (conformance/COVERAGE.md)
  --only C-09,X-     run the cases with these ids or id prefixes
  --parallel N       plugin processes the concurrency case starts at once (default 16)
  --jobs N           cases run at the same time (default 4; whole-state cases always run alone)
  --list             print the cases and exit`;

export class UsageError extends Error {}

export function parseCliArgs(argv: readonly string[], bundleDir: string): CliOptions {
  const opts: Partial<CliOptions> & { list: boolean } = { list: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const csv = (s: string): string[] =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] =
      a.includes('=') && a.startsWith('--')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const take = (): string => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--plugin':
        opts.plugin = path.resolve(take());
        break;
      case '--profile': {
        const p = take();
        if (p !== 'generic' && p !== 'nat') throw new UsageError(`unknown profile "${p}"`);
        opts.profile = p;
        break;
      }
      case '--mode': {
        const m = take();
        if (m !== 'strict' && m !== 'compat') throw new UsageError(`unknown mode "${m}"`);
        opts.mode = m;
        break;
      }
      case '--versions': {
        const vs = csv(take());
        const unknown = vs.filter((v) => !(KNOWN_VERSIONS as readonly string[]).includes(v));
        if (unknown.length > 0)
          throw new UsageError(`unknown versions: ${unknown.join(', ')} (known: ${KNOWN_VERSIONS.join(', ')})`);
        opts.versions = vs;
        break;
      }
      case '--report':
        opts.report = path.resolve(take());
        break;
      case '--only':
        opts.only = csv(take());
        break;
      case '--config':
        opts.config = path.resolve(take());
        break;
      case '--hns-sim':
        opts.hnsSim = path.resolve(take());
        break;
      case '--hns-ffi':
        opts.hnsFfi = take();
        break;
      case '--hns': {
        const h = take();
        if (h !== 'simulator' && h !== 'host') throw new UsageError(`unknown --hns "${h}" (simulator or host)`);
        opts.hns = h;
        break;
      }
      case '--observe': {
        const o = take();
        if (o !== 'dump' && o !== 'hcn') throw new UsageError(`unknown --observe "${o}" (dump or hcn)`);
        opts.observe = o;
        break;
      }
      case '--observe-library':
        opts.observeLibrary = path.resolve(take());
        break;
      case '--ipam-path':
        opts.ipamPath = take()
          .split(path.delimiter)
          .filter((d) => d !== '')
          .map((d) => path.resolve(d));
        break;
      case '--timeout-ms':
        opts.timeoutMs = positive(take(), flag);
        break;
      case '--parallel':
        opts.parallel = positive(take(), flag);
        break;
      case '--jobs':
        opts.jobs = positive(take(), flag);
        break;
      case '--list':
        opts.list = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument "${a}"`);
    }
  }
  if (!opts.plugin && !opts.list) throw new UsageError('--plugin is required');
  return {
    plugin: opts.plugin ?? '',
    profile: opts.profile ?? 'generic',
    mode: opts.mode ?? 'strict',
    versions: opts.versions ?? [...KNOWN_VERSIONS],
    report: opts.report,
    only: opts.only,
    config: opts.config,
    hnsSim: opts.hnsSim ?? path.join(bundleDir, 'hns-sim'),
    hnsFfi: opts.hnsFfi,
    hns: opts.hns ?? 'simulator',
    observe: opts.observe,
    observeLibrary: opts.observeLibrary,
    ipamPath: opts.ipamPath,
    timeoutMs: opts.timeoutMs ?? 20_000,
    parallel: opts.parallel ?? 16,
    jobs: opts.jobs ?? 4,
    list: opts.list,
  };
}

function positive(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer`);
  return n;
}
