/**
 * dist/nat's start-up (plugin/start.ts, start-dist.ts): VERSION and `--version` are answered by a small
 * script that never touches the core; every other call decodes the core from the file's trailing
 * comment and compiles it with the V8 code cache the build made. Through the executable, as a runtime
 * runs it, and through copies of it with the trailer damaged as a broken build or copy would have it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAT, SimHost, buildPluginAndSim, natConfig } from './process/harness';

const MARK = '/*nat-core:';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-start-'));
let host: SimHost;

beforeAll(() => {
  buildPluginAndSim();
  host = new SimHost();
}, 120_000);
afterAll(() => {
  host.remove();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** dist/nat's text split at its trailer: the start-up script, the core's base64 and the cache's. */
function parts(): { start: string; core: string; cache: string } {
  const text = fs.readFileSync(NAT, 'latin1');
  const at = text.lastIndexOf(MARK);
  const end = text.lastIndexOf('*/');
  const [core = '', cache = ''] = text.slice(at + MARK.length, end).split(':');
  return { start: text.slice(0, at), core, cache };
}

/** A copy of dist/nat with another trailer, executable, in the scratch folder. */
function copyWith(name: string, trailer: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, parts().start + trailer, 'latin1');
  fs.chmodSync(file, 0o755);
  return file;
}

function run(file: string, command: string, env: Record<string, string> = {}, args: string[] = []) {
  const netns = command === 'ADD' ? host.createNamespace() : '';
  const r = spawnSync(file, args, {
    input: JSON.stringify(natConfig('1.1.0')),
    env: {
      ...host.env({ command, containerId: `c-${path.basename(file)}`, netns, ifName: 'eth0', config: {} }),
      DEBUG: 'nat-cni:spec',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("dist/nat's start-up", () => {
  it('answers VERSION and --version without decoding or compiling the core', () => {
    const version = run(NAT, 'VERSION');
    expect(version.status).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({ cniVersion: '1.1.0' });
    expect(version.stderr).not.toContain('core code cache');
    // A copy with no core at all gives the same answers: the core was never read.
    const coreless = copyWith('coreless', '');
    expect(run(coreless, 'VERSION')).toEqual(version);
    expect(run(coreless, '', {}, ['--version']).stdout).toBe(run(NAT, '', {}, ['--version']).stdout);
  });

  it('runs every other call from the core, compiled with the code cache the build made', () => {
    const add = run(NAT, 'ADD');
    expect(add.status, add.stdout).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ cniVersion: '1.1.0', ips: [{ address: '172.20.0.2/16' }] });
    expect(add.stderr).toContain('core code cache used');
  });

  it('compiles the core from its text when V8 refuses the cache (another Node), and the call still succeeds', () => {
    const { core } = parts();
    const foreign = copyWith(
      'foreign-cache',
      `${MARK}${core}:${Buffer.from('not a V8 code cache').toString('base64')}*/\n`,
    );
    const add = run(foreign, 'ADD');
    expect(add.status, add.stdout).toBe(0);
    expect(add.stderr).toContain('core code cache refused by V8: compiled from source');
    const uncached = copyWith('no-cache', `${MARK}${core}*/\n`);
    const again = run(uncached, 'ADD');
    expect(again.status, again.stdout).toBe(0);
    expect(again.stderr).not.toContain('core code cache');
  });

  it.each([
    ['has no core', ''],
    ['has a core that is not gzip', `${MARK}${Buffer.from('not gzip').toString('base64')}*/\n`],
  ])('answers a CNI error object (code 999) when the file %s, not a stack trace', (name, trailer) => {
    const broken = copyWith(name.replace(/ /g, '-'), trailer);
    const add = run(broken, 'ADD');
    expect(add.status).toBe(1);
    const answer = JSON.parse(add.stdout) as { code: number; msg: string };
    expect(answer.code).toBe(999);
    expect(answer.msg).toMatch(/^nat-cni cannot load its own code: /);
  });

  it("keeps zod, skel's dispatcher, the plugin and the simulator out of the start-up script (only the core has them)", () => {
    const { start } = parts();
    const modules = [...start.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((m) => m[1]);
    expect(modules).toContain('spec/probe.ts');
    // Not even skel's dispatcher: VERSION is spec/probe.ts, which skel also answers it through.
    expect(modules.filter((m) => /zod|spec\/skel|hns\/|plugin\/(?!start|probe|about)/.test(m!))).toEqual([]);
    expect(start.length).toBeLessThan(80_000);
  });
});
