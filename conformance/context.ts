/**
 * What a case works with: running the plugin as a runtime would, the verdict helpers, the profile's
 * view of the state, and results shared between cases (the VERSION answer, one ADD result per version).
 */
import * as path from 'node:path';
import type { Invocation, StdinSource } from './invoke';
import { invokePlugin } from './invoke';
import {
  describeCodes,
  describeInvocation,
  codesFor,
  judgeError,
  judgeOk,
  judgeQuiet,
  isObject,
  type CodeRule,
  type Mode,
} from './judge';
import type { Container, JsonObject, ProfileSession } from './profiles/types';
import { validateResult } from './results';
import { compareVersions, KNOWN_VERSIONS } from './versions';

export class CaseFailure extends Error {
  constructor(
    readonly step: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${step}: expected ${expected}; got ${got}`);
  }
}

export class CaseSkip extends Error {}

export interface SuiteOptions {
  plugin: string;
  mode: Mode;
  /** Versions the user asked to test (default: all known). */
  versions: readonly string[];
  timeoutMs: number;
  /** How many plugin processes the concurrency cases start at once. */
  parallel: number;
}

export interface CorpusEntry {
  version: string;
  container: Container;
  network: string;
  config: JsonObject;
  result: JsonObject;
}

/** State shared by all cases of one run. */
export class Suite {
  readonly log: Invocation[] = [];
  private versionInfo?: Promise<string[] | undefined>;
  private corpus = new Map<string, Promise<CorpusEntry | undefined>>();
  private live: { container: Container; config: JsonObject; ifname: string }[] = [];

  constructor(
    readonly opts: SuiteOptions,
    readonly session: ProfileSession,
  ) {}

  env(command: string | null, c: Container, overrides: Record<string, string | null> = {}): Record<string, string> {
    const env: Record<string, string | null> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      ...this.session.env,
      CNI_COMMAND: command,
      CNI_CONTAINERID: c.containerId,
      CNI_NETNS: c.netns,
      CNI_IFNAME: 'eth0',
      CNI_PATH: path.dirname(this.opts.plugin),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== null));
  }

  async run(
    command: string | null,
    stdin: StdinSource,
    c: Container,
    overrides: Record<string, string | null> = {},
    cwd?: string,
  ): Promise<Invocation> {
    const inv = await invokePlugin(this.opts.plugin, {
      env: this.env(command, c, overrides),
      stdin,
      cwd,
      timeoutMs: this.opts.timeoutMs,
    });
    this.log.push(inv);
    return inv;
  }

  /** The plugin's supportedVersions, or undefined if VERSION does not answer properly. */
  supported(): Promise<string[] | undefined> {
    this.versionInfo ??= (async () => {
      const inv = await this.run(
        'VERSION',
        '{"cniVersion":"1.0.0"}',
        { containerId: '', netns: '' },
        { CNI_CONTAINERID: null, CNI_NETNS: null, CNI_IFNAME: null, CNI_PATH: null },
      );
      const { problems, value } = judgeOk(inv);
      if (problems.length > 0 || !value || !Array.isArray(value.supportedVersions)) return undefined;
      return value.supportedVersions.filter((v): v is string => typeof v === 'string');
    })();
    return this.versionInfo;
  }

  /** Versions to exercise: supported by the plugin and asked for by the user. */
  async versions(): Promise<string[]> {
    const sup = (await this.supported()) ?? [];
    return KNOWN_VERSIONS.filter((v) => sup.includes(v) && this.opts.versions.includes(v));
  }

  track(container: Container, config: JsonObject, ifname = 'eth0'): void {
    this.live.push({ container, config, ifname });
  }

  untrack(container: Container, ifname = 'eth0'): void {
    this.live = this.live.filter((l) => !(l.container.containerId === container.containerId && l.ifname === ifname));
  }

  /** DELs whatever cases left behind, so that profiles observing the state see a clean end. */
  async cleanup(): Promise<void> {
    for (const l of this.live.splice(0)) {
      await this.run('DEL', JSON.stringify(l.config), l.container, { CNI_IFNAME: l.ifname });
    }
  }

  corpusEntry(version: string, make: () => Promise<CorpusEntry | undefined>): Promise<CorpusEntry | undefined> {
    let p = this.corpus.get(version);
    if (!p) {
      p = make();
      this.corpus.set(version, p);
    }
    return p;
  }
}

/** The helpers one case gets. */
export class T {
  constructor(
    readonly suite: Suite,
    readonly caseId: string,
  ) {}

  get mode(): Mode {
    return this.suite.opts.mode;
  }
  get session(): ProfileSession {
    return this.suite.session;
  }

  /** A network name private to this case (and a tag, when a case needs several). */
  network(tag = ''): string {
    return `conf-${this.caseId.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}${tag ? `-${tag}` : ''}`;
  }

  container(tag = this.caseId.replace(/[^A-Za-z0-9]/g, '').toLowerCase()): Promise<Container> {
    return this.session.newContainer(tag);
  }

  config(version: string, network = this.network(), extra: JsonObject = {}): JsonObject {
    return { ...this.session.config(version, network), ...extra };
  }

  run(
    command: string | null,
    stdin: StdinSource | JsonObject,
    c: Container,
    overrides: Record<string, string | null> = {},
    cwd?: string,
  ): Promise<Invocation> {
    const input =
      typeof stdin === 'object' &&
      !Buffer.isBuffer(stdin) &&
      !('kind' in stdin && Object.keys(stdin).length <= 2 && (stdin.kind === 'closed' || stdin.kind === 'directory'))
        ? JSON.stringify(stdin)
        : (stdin as StdinSource);
    return this.suite.run(command, input, c, overrides, cwd);
  }

  async supported(): Promise<string[]> {
    const sup = await this.suite.supported();
    if (!sup)
      this.fail('VERSION', 'a VERSION answer with supportedVersions', 'none; version-dependent cases cannot run');
    return sup;
  }

  async versions(): Promise<string[]> {
    await this.supported();
    return this.suite.versions();
  }

  /** The version most cases speak: 1.0.0 when the plugin and the user allow it, else the newest. */
  async version(): Promise<string> {
    const vs = await this.versions();
    if (vs.length === 0) this.skip('no version is both supported by the plugin and selected with --versions');
    return vs.includes('1.0.0') ? '1.0.0' : (vs[vs.length - 1] as string);
  }

  fail(step: string, expected: string, got: string): never {
    throw new CaseFailure(step, expected, got);
  }

  skip(reason: string): never {
    throw new CaseSkip(reason);
  }

  check(cond: boolean, step: string, expected: string, got: string): void {
    if (!cond) this.fail(step, expected, got);
  }

  /** The request's cniVersion when the plugin supports it: what a strict error must echo. */
  private async requestVersion(inv: Invocation): Promise<string | undefined> {
    try {
      const v = (JSON.parse(inv.stdinText) as JsonObject).cniVersion;
      const sup = (await this.suite.supported()) ?? [];
      return typeof v === 'string' && sup.includes(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async expectError(inv: Invocation, rule: CodeRule, step: string): Promise<JsonObject> {
    const j = judgeError(inv, rule, this.mode, await this.requestVersion(inv));
    if (j.problems.length > 0)
      this.fail(
        step,
        `E(${describeCodes(codesFor(rule, this.mode))})`,
        `${j.problems.join('; ')} [${describeInvocation(inv)}]`,
      );
    return j.error as JsonObject;
  }

  expectQuiet(inv: Invocation, step: string): void {
    const p = judgeQuiet(inv);
    if (p.length > 0) this.fail(step, 'QUIET (exit 0, empty stdout)', `${p.join('; ')} [${describeInvocation(inv)}]`);
  }

  expectOk(inv: Invocation, step: string): JsonObject {
    const j = judgeOk(inv);
    if (j.problems.length > 0)
      this.fail(
        step,
        'OK (exit 0, one JSON object on stdout)',
        `${j.problems.join('; ')} [${describeInvocation(inv)}]`,
      );
    return j.value as JsonObject;
  }

  /** OK, and a valid result of `version` by the suite's own validators. */
  expectResult(inv: Invocation, version: string, step: string): JsonObject {
    const value = this.expectOk(inv, step);
    const { findings } = validateResult(value, { version, mode: this.mode });
    if (findings.length > 0)
      this.fail(
        step,
        `a valid ${version} result`,
        `${findings.map((f) => `${f.id}: ${f.msg}`).join('; ')} [${describeInvocation(inv)}]`,
      );
    return value;
  }

  /** ADD a fresh container; the attachment is DELeted when the run ends unless the case does it. */
  async add(
    version: string,
    opts: { network?: string; container?: Container; extra?: JsonObject; ifname?: string; step?: string } = {},
  ): Promise<{ container: Container; config: JsonObject; result: JsonObject }> {
    const container = opts.container ?? (await this.container());
    const config = this.config(version, opts.network, opts.extra);
    const ifname = opts.ifname ?? 'eth0';
    const inv = await this.run('ADD', config, container, { CNI_IFNAME: ifname });
    const result = this.expectResult(inv, version, opts.step ?? `ADD ${version}`);
    this.suite.track(container, config, ifname);
    return { container, config, result };
  }

  async del(
    config: JsonObject,
    container: Container,
    step: string,
    overrides: Record<string, string | null> = {},
  ): Promise<void> {
    const inv = await this.run('DEL', config, container, overrides);
    this.expectQuiet(inv, step);
    this.suite.untrack(container, overrides.CNI_IFNAME ?? 'eth0');
  }

  /** The profile's exact expectation of what one ADD creates (nat: one endpoint, attached). */
  async expectAttachment(c: Container, step: string): Promise<void> {
    const problem = await this.session.attachmentProblems?.(c);
    if (problem) this.fail(step, 'the attachment ADD reported', problem);
  }

  async footprint(c: Container, network = this.network()): Promise<string[]> {
    return this.session.footprint(c, network);
  }

  async expectFootprint(c: Container, present: boolean, step: string, network = this.network()): Promise<void> {
    const fp = await this.footprint(c, network);
    if (present && fp.length === 0)
      this.fail(step, 'the attachment to exist in the plugin state', 'nothing belonging to the container');
    if (!present && fp.length > 0) this.fail(step, 'nothing left of the attachment', fp.join('; '));
  }

  /** One ADD result per version, shared by the schema cases. */
  async corpus(version: string): Promise<CorpusEntry | undefined> {
    return this.suite.corpusEntry(version, async () => {
      const container = await this.session.newContainer('corpus');
      const network = 'conf-corpus';
      const config = { ...this.session.config(version, network) };
      const inv = await this.suite.run('ADD', JSON.stringify(config), container);
      const j = judgeOk(inv);
      if (j.problems.length > 0 || !isObject(j.value)) return undefined;
      this.suite.track(container, config);
      return { version, container, network, config, result: j.value };
    });
  }

  /** The shared ADD result of `version`; the case fails when that ADD did not succeed. */
  async corpusOrFail(version: string): Promise<CorpusEntry> {
    const entry = await this.corpus(version);
    if (!entry) this.fail(`ADD ${version}`, 'a successful ADD to work with', 'ADD failed (see C-32 / C-34)');
    return entry;
  }

  /** Versions below/at/above a bound among those exercised. */
  async versionsWhere(pred: (v: string) => boolean): Promise<string[]> {
    return (await this.versions()).filter(pred);
  }
}

export const atLeast =
  (min: string) =>
  (v: string): boolean =>
    compareVersions(v, min) >= 0;
