/**
 * The dispatcher as runtimes meet it: a plugin bundled and run as a separate process, driven only by
 * environment and stdin. Where Debian's Go `host-local` (skel v1.1.x) is installed, the generic
 * answers are compared with its answers: same code, same msg (and details where they carry data).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_VERSIONS } from '../../spec/versions';
import { bundle, cniEnv, conf, expectError, expectQuiet, runProcess, tmpDir } from './helpers';

const HOST_LOCAL = '/usr/lib/cni/host-local';
const haveHostLocal = fs.existsSync(HOST_LOCAL);
const GO_VERSIONS = '0.1.0,0.2.0,0.3.0,0.3.1,0.4.0,1.0.0';

let dir: string;
let fixture: string;

beforeAll(() => {
  dir = tmpDir('nat-cni-skel-');
  fixture = bundle('test/fixtures/skel-plugin.ts', dir, 'fixture.js');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const plug = (env: Record<string, string>, stdin: Buffer | number = Buffer.alloc(0), opts: { cwd?: string } = {}) =>
  runProcess([process.execPath, fixture], env, stdin, opts);

/** The context a fixture handler reported on stderr. */
const reported = (stderr: string) => {
  const line = stderr.split('\n').find((l) => l.startsWith('FIXTURE-CTX '));
  if (line === undefined) throw new Error(`no context reported; stderr: ${stderr}`);
  return JSON.parse(line.slice('FIXTURE-CTX '.length));
};

describe('plugin process (fixture on runPlugin)', () => {
  it('C-08: no CNI_COMMAND prints the about text and versions on stderr and exits 0', () => {
    const out = plug({ FIXTURE_VERSIONS: '0.4.0,1.0.0' });
    expect(out).toMatchObject({
      stdout: '',
      exitCode: 0,
      stderr: 'CNI plugin fixture v0.0.1\nCNI protocol versions supported: 0.4.0, 1.0.0\n',
    });
  });

  it('C-12/C-30/X-01: VERSION with /dev/null, with the libcni probe, and echoing every version', () => {
    const devnull = fs.openSync('/dev/null', 'r');
    try {
      const out = plug({ CNI_COMMAND: 'VERSION' }, devnull);
      expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.1.0', supportedVersions: ALL_VERSIONS });
    } finally {
      fs.closeSync(devnull);
    }
    for (const v of ALL_VERSIONS) {
      const probe = {
        CNI_COMMAND: 'VERSION',
        CNI_CONTAINERID: '',
        CNI_NETNS: 'dummy',
        CNI_IFNAME: 'dummy',
        CNI_PATH: 'dummy',
        CNI_ARGS: '',
      };
      const out = plug(probe, Buffer.from(JSON.stringify({ cniVersion: v })));
      expect(out.exitCode).toBe(0);
      expect(JSON.parse(out.stdout).cniVersion).toBe(v);
    }
  });

  it.each(ALL_VERSIONS)('C-02/C-34/C-35/C-53: ADD, CHECK (≥0.4.0) and DEL at %s', (v) => {
    const add = plug(cniEnv('ADD'), conf(v));
    expect(add.exitCode).toBe(0);
    expect(add.signal).toBeNull();
    const result = JSON.parse(add.stdout);
    expect(result.cniVersion).toBe(v);
    const check = plug(cniEnv('CHECK'), conf(v, v >= '0.4.0' ? { prevResult: result } : {}));
    if (v >= '0.4.0') expectQuiet(check);
    else expectError(check, 1, 'config version does not allow CHECK');
    expectQuiet(plug(cniEnv('DEL'), conf(v, v >= '0.4.0' ? { prevResult: result } : {})));
  });

  it('X-02/X-08/X-15/X-17: STATUS and GC at 1.1.0 are quiet; GC gets the attachment list', () => {
    expectQuiet(plug({ CNI_COMMAND: 'STATUS' }, conf('1.1.0')));
    const list = [{ containerID: 'a', ifname: 'eth0' }];
    const gc = plug(
      { CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' },
      conf('1.1.0', { 'cni.dev/valid-attachments': list, 'cni.dev/attachments': list }),
    );
    expectQuiet(gc);
    expect(reported(gc.stderr).validAttachments).toEqual(list);
  });

  it('C-19/C-13/C-49: the handler sees CNI_ARGS, CNI_PATH and the exact stdin bytes', () => {
    const stdin = Buffer.from(
      `{"cniVersion":"1.0.0","name":"natnet","type":"nat","ünï":"cødé","z":[1,{"y":null}]}\r\n`,
    );
    const args =
      'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=ctr1;K8S_POD_UID=u1';
    const out = plug(cniEnv('ADD', { CNI_ARGS: args, CNI_PATH: '/a:/b' }), stdin);
    expect(out.exitCode).toBe(0);
    const ctx = reported(out.stderr);
    expect(ctx.args.pairs).toContainEqual(['K8S_POD_NAMESPACE', 'default']);
    expect(ctx.path).toEqual(['/a', '/b']);
    expect(Buffer.from(ctx.stdinHex, 'hex').equals(stdin)).toBe(true);
    expect(ctx.rawConfig['ünï']).toBe('cødé');
  });

  it('C-01: the same answers from any working directory, including / and a read-only one', () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    const answers = ['/', ro, dir].map((cwd) => plug(cniEnv('ADD'), conf('1.0.0'), { cwd }).stdout);
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0] as string).cniVersion).toBe('1.0.0');
  });

  it('C-04: with debug logging on, stdout still holds exactly the one JSON document', () => {
    const out = plug({ ...cniEnv('ADD'), DEBUG: '*' }, conf('1.0.0', { fixture: { throw: 'boom' } }));
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.0.0', code: 999, msg: 'boom' });
    expect(out.stderr).toContain('nat-cni:spec');
    expect(out.stderr).toContain('Error: boom');
  });

  it('C-21: stdin that is a directory is code 5', () => {
    const fd = fs.openSync(dir, 'r');
    try {
      expectError(plug(cniEnv('ADD'), fd), 5, /^error reading from stdin: /);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('C-21: a 3 MiB configuration (beyond any pipe buffer) is read whole', () => {
    const out = plug(cniEnv('ADD'), conf('1.0.0', { padding: 'x'.repeat(3 * 1024 * 1024) }));
    expect(out.exitCode).toBe(0);
  });

  it('input over 16 MiB is refused with code 5', () => {
    const out = plug(cniEnv('ADD'), Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    expectError(out, 5, 'error reading from stdin: input exceeds the limit of 16777216 bytes');
  });

  it.each([
    [{ throw: 'boom' }, 'boom'],
    [{ throwValue: { weird: true } }, '[object Object]'],
    [{ uncaught: 'thrown from a timer' }, 'thrown from a timer'],
    [{ reject: 'rejected and forgotten' }, 'rejected and forgotten'],
  ])('C-05: %j ends as one code-999 error object, exit 1', (fixtureConf, msg) => {
    const out = plug(cniEnv('DEL'), conf('1.0.0', { fixture: fixtureConf }));
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ code: 999, msg });
  });

  it('a typed CniError keeps its code and details', () => {
    const out = plug(
      cniEnv('ADD'),
      conf('0.3.1', { fixture: { cniError: { code: 11, msg: 'try again', details: 'lock busy' } } }),
    );
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.3.1', code: 11, msg: 'try again', details: 'lock busy' });
    expect(out.exitCode).toBe(1);
  });

  it('a handler that leaves a timer running still exits soon after answering', () => {
    const t = Date.now();
    const out = plug(cniEnv('DEL'), conf('1.0.0', { fixture: { linger: true } }));
    expectQuiet(out);
    expect(Date.now() - t).toBeLessThan(10_000);
  });
});

/**
 * Cases that stop before any handler runs, so host-local never touches its state directory.
 * Each is [title, command or undefined, env overrides, stdin].
 */
const COMPARED: Array<[string, string, Record<string, string | undefined>, string]> = [
  [
    'C-09: ADD with no attachment variables',
    'ADD',
    { CNI_CONTAINERID: undefined, CNI_NETNS: undefined, CNI_IFNAME: undefined },
    '{}',
  ],
  ['C-09: ADD without CNI_NETNS', 'ADD', { CNI_NETNS: '' }, '{}'],
  ['C-10: CHECK without CNI_IFNAME', 'CHECK', { CNI_IFNAME: undefined }, '{}'],
  ['C-11: DEL without CNI_CONTAINERID', 'DEL', { CNI_CONTAINERID: '' }, '{}'],
  ['C-16: container id -abc', 'ADD', { CNI_CONTAINERID: '-abc' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-16: container id a:b on DEL', 'DEL', { CNI_CONTAINERID: 'a:b' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-16: container id ü1', 'CHECK', { CNI_CONTAINERID: 'ü1' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-17: ifname too long', 'ADD', { CNI_IFNAME: 'x'.repeat(16) }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-17: ifname 8×é (16 bytes)', 'ADD', { CNI_IFNAME: 'é'.repeat(8) }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-17: ifname ..', 'ADD', { CNI_IFNAME: '..' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-17: ifname with a space', 'DEL', { CNI_IFNAME: 'a b' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-17: ifname with a slash', 'ADD', { CNI_IFNAME: 'a/b' }, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-23: missing name', 'ADD', {}, '{"cniVersion":"1.0.0"}'],
  ['C-23: empty name', 'DEL', {}, '{"cniVersion":"1.0.0","name":""}'],
  ['C-23: name a/b', 'ADD', {}, '{"cniVersion":"1.0.0","name":"a/b"}'],
  ['C-23: name -x', 'ADD', {}, '{"cniVersion":"1.0.0","name":"-x"}'],
  ['C-23: name ünï', 'CHECK', {}, '{"cniVersion":"1.0.0","name":"ünï"}'],
  ['C-23: name of the wrong type', 'ADD', {}, '{"cniVersion":"1.0.0","name":5}'],
  ['C-07: unknown command FOO', 'FOO', {}, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-06: lower-case add', 'add', {}, '{"cniVersion":"1.0.0","name":"n"}'],
  ['C-24: incompatible 9.9.9', 'ADD', {}, '{"cniVersion":"9.9.9","name":"n"}'],
  ['C-24: incompatible 1.0', 'DEL', {}, '{"cniVersion":"1.0","name":"n"}'],
  ['C-24: incompatible 1 on CHECK', 'CHECK', {}, '{"cniVersion":"1","name":"n"}'],
  ['C-24: non-string cniVersion', 'ADD', {}, '{"cniVersion":1,"name":"n"}'],
  ['C-24: CHECK with version v1', 'CHECK', {}, '{"cniVersion":"v1","name":"n"}'],
  ['C-24: CHECK with version 1.0.0.0', 'CHECK', {}, '{"cniVersion":"1.0.0.0","name":"n"}'],
  ['C-63: CHECK at 0.3.1', 'CHECK', {}, '{"cniVersion":"0.3.1","name":"n"}'],
  ['C-63: CHECK at 0.1.0 (absent)', 'CHECK', {}, '{"name":"n"}'],
  ['C-82: upper-case keys, CHECK at 0.2.0', 'CHECK', {}, '{"CNIVERSION":"0.2.0","NAME":"n"}'],
  ['C-22: empty stdin', 'ADD', {}, ''],
  ['C-22: notjson', 'ADD', {}, 'notjson'],
  ['C-22: {', 'ADD', {}, '{'],
  ['C-22: BOM', 'ADD', {}, '\ufeff{"cniVersion":"1.0.0","name":"n"}'],
  ['C-22: trailing text', 'ADD', {}, '{"cniVersion":"1.0.0","name":"n"} x'],
  ['C-22: missing comma', 'ADD', {}, '{"cniVersion":"1.0.0" "name":"n"}'],
  ['C-22: bad escape', 'DEL', {}, '{"name":"\\q"}'],
  ['C-22: control character in a string', 'ADD', {}, '{"name":"a\tb"}'],
  ['C-22: bad number', 'ADD', {}, '{"name":"n","x":-}'],
  ['C-22: bad literal', 'ADD', {}, '{"name":"n","x":nul}'],
];

describe.skipIf(!haveHostLocal)('same answers as Go skel (host-local, skel v1.1.x)', () => {
  it.each(COMPARED)('%s', (_title, command, over, stdin) => {
    const env = cniEnv(command, { CNI_PATH: '/nonexistent', ...over });
    const ours = plug({ ...env, FIXTURE_VERSIONS: GO_VERSIONS }, Buffer.from(stdin));
    const go = runProcess([HOST_LOCAL], env, Buffer.from(stdin));
    expect(go.exitCode).not.toBe(0);
    expect(ours.exitCode).not.toBe(0);
    const g = JSON.parse(go.stdout);
    const o = JSON.parse(ours.stdout);
    expect({ code: o.code, msg: o.msg, details: o.details }).toEqual({ code: g.code, msg: g.msg, details: g.details });
  });

  it('C-08: both print the about text on stderr and exit 0 without CNI_COMMAND', () => {
    const go = runProcess([HOST_LOCAL], {}, Buffer.alloc(0));
    const ours = plug({ FIXTURE_VERSIONS: GO_VERSIONS }, Buffer.alloc(0));
    expect([go.exitCode, go.stdout, ours.exitCode, ours.stdout]).toEqual([0, '', 0, '']);
    const versionsLine = (s: string) => s.split('\n')[1];
    expect(versionsLine(ours.stderr)).toBe(versionsLine(go.stderr));
  });

  it('C-21: both answer 5 for a directory on stdin', () => {
    const fd = fs.openSync(dir, 'r');
    try {
      const go = runProcess([HOST_LOCAL], cniEnv('ADD'), fd);
      const ours = plug(cniEnv('ADD'), fd);
      expect(JSON.parse(ours.stdout).code).toBe(JSON.parse(go.stdout).code);
      expect(JSON.parse(go.stdout).code).toBe(5);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('C-30 (documented difference): Go prints its library version for VERSION, we echo the request', () => {
    const stdin = Buffer.from('{"cniVersion":"0.4.0"}');
    const go = JSON.parse(runProcess([HOST_LOCAL], { CNI_COMMAND: 'VERSION' }, stdin).stdout);
    const ours = JSON.parse(plug({ CNI_COMMAND: 'VERSION', FIXTURE_VERSIONS: GO_VERSIONS }, stdin).stdout);
    expect(ours.supportedVersions).toEqual(go.supportedVersions);
    expect(go.cniVersion).toBe('1.0.0');
    expect(ours.cniVersion).toBe('0.4.0');
  });
});

describe.skipIf(haveHostLocal)('Go comparisons', () => {
  it.skip(`skipped: ${HOST_LOCAL} is absent (install the Debian package containernetworking-plugins)`, () => undefined);
});
