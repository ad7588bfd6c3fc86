/**
 * The steps of .github/workflows/windows.yml that can run here, run here with the same scripts:
 * the pinned, checked download (tools/windows-ci/fetch-verified.sh), and the end-to-end network and
 * HNS check (tools/windows-ci/natcni-e2e.conflist, dist/hns-check.js) against `hns-sim serve`
 * through the fake library, with dist/nat doing what nerdctl asks of nat.exe.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const FETCH = path.join(ROOT, 'tools/windows-ci/fetch-verified.sh');
const PINS = path.join(ROOT, 'tools/windows-ci/pins.json');
const NAT = path.join(ROOT, 'dist/nat');
const SIM = path.join(ROOT, 'dist/hns-sim');
const LIB = path.join(ROOT, 'dist/libcomputenetwork.so');
const CHECK = path.join(ROOT, 'dist/hns-check.js');

const sha256 = (b: Buffer | string): string => crypto.createHash('sha256').update(b).digest('hex');

describe('tools/windows-ci/pins.json', () => {
  type Archive = { version: string; url: string; sha256: string; sha256Source: string; sums: string };
  const pins = JSON.parse(fs.readFileSync(PINS, 'utf8')) as { archives: Record<string, Archive> };

  it('pins containerd and nerdctl release archives for Windows, each with a check', () => {
    expect(Object.keys(pins.archives).sort()).toEqual(['containerd', 'nerdctl']);
    for (const [name, a] of Object.entries(pins.archives)) {
      expect(a.version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(a.url, name).toContain(`/v${a.version}/`);
      expect(a.url, name).toMatch(/-windows-amd64\.tar\.gz$/);
      expect(a.sha256, name).toMatch(/^([0-9a-f]{64})?$/);
      if (a.sha256) expect(a.sha256Source, name).not.toBe('');
      expect(a.sha256 !== '' || a.sums !== '', name).toBe(true);
    }
    expect(pins.archives.containerd?.sha256).toHaveLength(64);
  });
});

describe('tools/windows-ci/fetch-verified.sh', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-verified-'));
  const archive = path.join(dir, 'thing-1.0.0-windows-amd64.tar.gz');
  const content = Buffer.from('not really a tarball, but bytes with a hash');
  fs.writeFileSync(archive, content);
  const good = sha256(content);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (archiveEntry: Record<string, string>) => {
    const pins = path.join(dir, `pins-${crypto.randomBytes(4).toString('hex')}.json`);
    fs.writeFileSync(
      pins,
      JSON.stringify({
        archives: { thing: { version: '1.0.0', url: `file://${archive}`, sha256: '', sums: '', ...archiveEntry } },
      }),
    );
    const dest = path.join(dir, `out-${crypto.randomBytes(4).toString('hex')}`, 'thing.tar.gz');
    const r = spawnSync('bash', [FETCH, 'thing', dest], { env: { ...process.env, PINS: pins }, encoding: 'utf8' });
    return {
      code: r.status,
      out: r.stdout + r.stderr,
      fetched: fs.existsSync(dest) && sha256(fs.readFileSync(dest)) === good,
    };
  };
  const sums = (text: string): string => {
    const f = path.join(dir, `sums-${crypto.randomBytes(4).toString('hex')}`);
    fs.writeFileSync(f, text);
    return `file://${f}`;
  };

  it('delivers an archive whose sha256 equals the pin', () => {
    expect(run({ sha256: good.toUpperCase() })).toMatchObject({ code: 0, fetched: true });
  });

  it('refuses one that differs from the pin, and delivers nothing', () => {
    const r = run({ sha256: '0'.repeat(64) });
    expect(r).toMatchObject({ code: 1, fetched: false });
    expect(r.out).toContain('does not match the pin');
  });

  it('checks against the publisher checksum file (sha256sum and SHA256SUMS forms) and says when nothing is pinned', () => {
    const one = run({ sums: sums(`${good}  thing-1.0.0-windows-amd64.tar.gz\n`) });
    expect(one).toMatchObject({ code: 0, fetched: true });
    expect(one.out).toMatch(/::warning title=unpinned archive::thing: .*pin sha256 [0-9a-f]{64}/);
    const many = run({
      sums: sums(`${'1'.repeat(64)}  other.tar.gz\n${good} *thing-1.0.0-windows-amd64.tar.gz\n`),
      sha256: good,
    });
    expect(many).toMatchObject({ code: 0, fetched: true });
    expect(many.out).not.toContain('::warning');
  });

  it('refuses when the checksum file disagrees, does not list the archive, or neither check exists', () => {
    expect(run({ sums: sums(`${'2'.repeat(64)}  thing-1.0.0-windows-amd64.tar.gz\n`) })).toMatchObject({
      code: 1,
      fetched: false,
    });
    const unlisted = run({ sums: sums(`${good}  other.tar.gz\n`) });
    expect(unlisted).toMatchObject({ code: 1, fetched: false });
    expect(unlisted.out).toContain('is not listed');
    expect(run({})).toMatchObject({ code: 1, fetched: false });
  });
});

describe('the end-to-end network and the HNS check, on hns-sim serve through the fake library', () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'windows-ci-e2e-'));
  let server: ChildProcess;
  let env: NodeJS.ProcessEnv;
  const conflist = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools/windows-ci/natcni-e2e.conflist'), 'utf8')) as {
    cniVersion: string;
    name: string;
    plugins: Record<string, unknown>[];
  };

  beforeAll(async () => {
    execFileSync('make', ['-s', 'dist/nat', 'dist/hns-sim', 'dist/libcomputenetwork.so', 'dist/hns-check.js'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    server = spawn(SIM, ['--state', state, 'serve', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const addr = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.on('exit', (c) => reject(new Error(`hns-sim serve exited ${c}`)));
    });
    env = {
      ...process.env,
      NAT_CNI_HNS: `ffi:${LIB}`,
      NAT_CNI_HNS_SIM_ADDR: addr,
      NAT_CNI_LOG: path.join(state, 'nat.log'),
    };
  }, 300_000);

  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    fs.rmSync(state, { recursive: true, force: true });
  });

  const check = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CHECK, '--library', LIB, ...args], { env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  /** What nerdctl hands nat.exe for one plugin of the conflist: name and cniVersion added, runtimeConfig. */
  const plugin = (containerId: string, netns: string, command: string) => {
    const stdin = JSON.stringify({
      cniVersion: conflist.cniVersion,
      name: conflist.name,
      ...conflist.plugins[0],
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
    });
    return spawnSync(NAT, [], {
      input: stdin,
      encoding: 'utf8',
      env: {
        ...env,
        CNI_COMMAND: command,
        CNI_CONTAINERID: containerId,
        CNI_NETNS: netns,
        CNI_IFNAME: 'eth0',
        CNI_PATH: path.dirname(NAT),
      },
    });
  };

  it('maps 8080 to 80 on the natcni-e2e network; the check fails while the container is attached and passes after DEL', () => {
    expect(conflist.name).toBe('natcni-e2e');
    const netns = execFileSync(SIM, ['--state', state, 'namespace', 'create'], { encoding: 'utf8' }).trim();
    const id = `e2e${crypto.randomBytes(8).toString('hex')}`;
    const add = plugin(id, netns, 'ADD');
    expect(add.status, add.stdout).toBe(0);
    const held = check('--network', 'natcni-e2e', '--container', id);
    expect(held.code).toBe(1);
    expect(held.out).toContain(`${id}_natcni-e2e`);
    expect(held.out).toMatch(/"ExternalPort": 8080/);
    const del = plugin(id, netns, 'DEL');
    expect(del.status, del.stdout).toBe(0);
    const clean = check('--network', 'natcni-e2e', '--container', id, '--remove-network');
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toContain('removed network natcni-e2e (1)');
    const dump = JSON.parse(execFileSync(SIM, ['--state', state, 'dump'], { encoding: 'utf8' })) as {
      networks: unknown[];
      endpoints: unknown[];
    };
    expect(dump).toMatchObject({ networks: [], endpoints: [] });
  });

  it('hns-check is a usage error without --network', () => {
    expect(check().code).toBe(2);
  });
});
