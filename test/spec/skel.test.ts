import { describe, expect, it } from 'vitest';
import { CniError, type CniContext, type CniPlugin, type Result, dispatch } from '../../spec';
import { ALL_VERSIONS, type CniVersion } from '../../spec/versions';
import { conf, cniEnv, expectError, expectQuiet } from './helpers';

const GO_ALL: CniVersion[] = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];
const RESULT: Result = {
  interfaces: [{ name: 'eth0', mac: '00:15:5d:aa:bb:02', sandbox: 'ns' }],
  ips: [{ address: '172.20.0.5/16', gateway: '172.20.0.1', interface: 0 }],
};

/** A plugin that records every context it is called with. */
function recorder(over: Partial<CniPlugin> = {}) {
  const calls: CniContext[] = [];
  const plugin: CniPlugin = {
    supportedVersions: ALL_VERSIONS,
    about: 'CNI plugin test',
    add: (ctx) => {
      calls.push(ctx);
      return RESULT;
    },
    del: (ctx) => void calls.push(ctx),
    check: (ctx) => void calls.push(ctx),
    gc: (ctx) => void calls.push(ctx),
    status: (ctx) => void calls.push(ctx),
    ...over,
  };
  return { plugin, calls };
}

const run = (
  plugin: CniPlugin,
  env: Record<string, string>,
  stdin: Buffer | (() => Buffer) = conf('1.0.0'),
  platform: NodeJS.Platform = 'linux',
) => dispatch(plugin, { env, stdin, platform });

describe('no CNI_COMMAND (C-08)', () => {
  it('prints the about text and versions on stderr, nothing on stdout, exit 0, without reading stdin', async () => {
    const { plugin } = recorder({ supportedVersions: ['0.4.0', '1.0.0'] });
    const out = await run(plugin, {}, () => {
      throw new Error('stdin must not be read');
    });
    expect(out).toEqual({
      stdout: '',
      stderr: 'CNI plugin test\nCNI protocol versions supported: 0.4.0, 1.0.0\n',
      exitCode: 0,
    });
  });
  it('without an about text it is code 4 naming CNI_COMMAND', async () => {
    const { plugin } = recorder({ about: undefined });
    expectError(await run(plugin, {}), 4, 'required env variables [CNI_COMMAND] missing');
  });
});

describe('VERSION (C-12, C-29, C-30, C-31, X-01)', () => {
  it.each(ALL_VERSIONS)('echoes a requested %s and lists the supported versions', async (v) => {
    const { plugin } = recorder();
    const out = await run(plugin, { CNI_COMMAND: 'VERSION' }, Buffer.from(JSON.stringify({ cniVersion: v })));
    expect(out.exitCode).toBe(0);
    expect(out.stdout.endsWith('\n')).toBe(true);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: v, supportedVersions: ALL_VERSIONS });
  });
  it.each([
    ['', '1.1.0'],
    ['garbage', '1.1.0'],
    ['{}', '1.1.0'],
    ['{"cniVersion":"9.9.9"}', '1.1.0'],
    ['[1]', '1.1.0'],
  ])('C-31: tolerates stdin %j', async (stdin, version) => {
    const out = await run(recorder().plugin, { CNI_COMMAND: 'VERSION' }, Buffer.from(stdin));
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout).cniVersion).toBe(version);
  });
  it('C-31: an unreadable stdin is ignored too', async () => {
    const out = await run(recorder().plugin, { CNI_COMMAND: 'VERSION' }, () => {
      throw new CniError(5, 'error reading from stdin: EISDIR');
    });
    expect(out.exitCode).toBe(0);
  });
  it("C-12: libcni's probe environment (empty id, dummy netns/ifname/path) works and validates nothing", async () => {
    const env = {
      CNI_COMMAND: 'VERSION',
      CNI_CONTAINERID: '',
      CNI_NETNS: 'dummy',
      CNI_IFNAME: 'dummy',
      CNI_PATH: 'dummy',
      CNI_ARGS: '',
    };
    const out = await run(recorder().plugin, env, Buffer.from('{"cniVersion":"1.0.0"}'));
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ALL_VERSIONS });
  });
});

describe('environment and parameters (C-06 … C-18)', () => {
  it.each([
    ['ADD', 'CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME'],
    ['CHECK', 'CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME'],
    ['DEL', 'CNI_CONTAINERID,CNI_IFNAME'],
    ['GC', 'CNI_PATH'],
  ])('C-09/C-10/C-11/X-15: %s with nothing else set names %s', async (cmd, vars) => {
    expectError(await run(recorder().plugin, { CNI_COMMAND: cmd }), 4, `required env variables [${vars}] missing`);
  });
  it('C-11/C-14: DEL without CNI_NETNS, or with it empty, succeeds quietly', async () => {
    const { plugin, calls } = recorder();
    expectQuiet(await run(plugin, cniEnv('DEL', { CNI_NETNS: undefined })));
    expectQuiet(await run(plugin, cniEnv('DEL', { CNI_NETNS: '' })));
    expect(calls.map((c) => c.netns)).toEqual(['', '']);
  });
  it.each(['add', 'FOO', 'Add', 'version'])('C-06/C-07: unknown command %j is code 4', async (cmd) => {
    expectError(await run(recorder().plugin, cniEnv(cmd)), 4, `unknown CNI_COMMAND: ${cmd}`);
  });
  it('C-07: an unknown command is reported after config decoding (skel ≥1.2 order) but without id checks', async () => {
    expectError(await run(recorder().plugin, cniEnv('FOO'), Buffer.from('notjson')), 6);
    expectError(
      await run(recorder().plugin, cniEnv('FOO', { CNI_CONTAINERID: undefined })),
      4,
      'unknown CNI_COMMAND: FOO',
    );
  });
  it.each(['ADD', 'DEL', 'CHECK'])('C-16/C-61: %s refuses a bad container id', async (cmd) => {
    expectError(
      await run(recorder().plugin, cniEnv(cmd, { CNI_CONTAINERID: '-bad' }), conf('1.0.0')),
      4,
      'invalid characters in containerID',
      '-bad',
    );
  });
  it.each(['ADD', 'DEL', 'CHECK'])('C-17: %s refuses a bad interface name', async (cmd) => {
    expectError(
      await run(recorder().plugin, cniEnv(cmd, { CNI_IFNAME: 'a:b' })),
      4,
      'interface name contains / or : or whitespace characters',
    );
  });
  it('C-15: unrelated environment is ignored', async () => {
    const { plugin, calls } = recorder();
    const out = await run(
      plugin,
      cniEnv('ADD', { CNI_FOO: 'x', CNI_NETNS_OVERRIDE: '1', HTTP_PROXY: 'http://p', BIG: 'x'.repeat(100 * 1024) }),
    );
    expect(out.exitCode).toBe(0);
    expect(calls).toHaveLength(1);
  });
  it('C-19: CNI_ARGS reaches the handler parsed, malformed pairs included, and never fails the call', async () => {
    const { plugin, calls } = recorder();
    const args = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;bad;A=b=c';
    expect((await run(plugin, cniEnv('ADD', { CNI_ARGS: args }))).exitCode).toBe(0);
    expect(calls[0]?.args.get('K8S_POD_NAMESPACE')).toBe('default');
    expect(calls[0]?.args.invalid).toEqual(['bad', 'A=b=c']);
  });
  it.each([
    ['linux', '/opt/cni/bin:/usr/lib/cni', ['/opt/cni/bin', '/usr/lib/cni']],
    ['win32', 'C:\\cni\\bin;D:\\more', ['C:\\cni\\bin', 'D:\\more']],
  ] as const)('C-13: CNI_PATH is split for %s', async (platform, raw, list) => {
    const { plugin, calls } = recorder();
    await run(plugin, cniEnv('DEL', { CNI_PATH: raw }), conf('1.0.0'), platform);
    expect(calls[0]?.path).toEqual(list);
  });
});

describe('stdin and config (C-21 … C-28)', () => {
  it.each([
    ['', 'error unmarshall network config: unexpected end of JSON input'],
    ['notjson', "error unmarshall network config: invalid character 'o' in literal null (expecting 'u')"],
    ['\ufeff{"name":"n"}', "error unmarshall network config: invalid character 'ï' looking for beginning of value"],
    ['[1,2]', 'error unmarshall network config: json: cannot unmarshal array into a network configuration object'],
  ])('C-22: %j is code 6', async (stdin, msg) => {
    const { plugin, calls } = recorder();
    expectError(await run(plugin, cniEnv('ADD'), Buffer.from(stdin)), 6, msg);
    expect(calls).toHaveLength(0);
  });
  it('C-21: a stdin read failure is its code 5 error', async () => {
    const out = await run(recorder().plugin, cniEnv('ADD'), () => {
      throw new CniError(5, 'error reading from stdin: EISDIR');
    });
    expectError(out, 5, 'error reading from stdin: EISDIR');
  });
  it.each([
    [{ cniVersion: '1.0.0' }, 7, 'missing network name'],
    [{ cniVersion: '1.0.0', name: 'bad name' }, 7, 'invalid characters found in network name'],
    [
      { cniVersion: '1.0.0', name: 1 },
      6,
      'error unmarshall network config: json: cannot unmarshal number into Go struct field .name of type string',
    ],
  ])('C-23: %j → code %i', async (config, code, msg) => {
    expectError(await run(recorder().plugin, cniEnv('ADD'), Buffer.from(JSON.stringify(config))), code, msg);
  });
  it('C-23 comes before the container id check (Go order)', async () => {
    expectError(
      await run(recorder().plugin, cniEnv('ADD', { CNI_CONTAINERID: '-x' }), Buffer.from('{"cniVersion":"1.0.0"}')),
      7,
    );
  });
  it('C-24: the version check comes after the id checks, and config type errors after the version', async () => {
    expectError(await run(recorder().plugin, cniEnv('ADD', { CNI_IFNAME: '.' }), conf('9.9.9')), 4);
    expectError(await run(recorder().plugin, cniEnv('ADD'), conf('9.9.9', { ipam: 5 })), 1);
  });
  it('C-28: a generic field of the wrong type is code 7 and the handler is not called', async () => {
    const { plugin, calls } = recorder();
    const e = expectError(
      await run(plugin, cniEnv('ADD'), conf('1.0.0', { dns: { search: 'x' } })),
      7,
      'invalid network configuration',
    );
    expect(e.details).toMatch(/^dns\.search: /);
    expect(calls).toHaveLength(0);
  });
  it('C-82: the handler gets the parsed generic config, the raw object and the exact stdin bytes', async () => {
    const { plugin, calls } = recorder();
    const stdin = Buffer.from(
      '{"CNIVERSION":"0.4.0","NAME":"caseNet","Type":"nat","IPAM":{"Type":"host-local","x":1},"mine":{"k":[1]}}',
    );
    expect((await run(plugin, cniEnv('ADD'), stdin)).exitCode).toBe(0);
    const ctx = calls[0] as CniContext;
    expect(ctx.cniVersion).toBe('0.4.0');
    expect(ctx.config).toMatchObject({
      cniVersion: '0.4.0',
      name: 'caseNet',
      type: 'nat',
      ipam: { type: 'host-local', x: 1 },
    });
    expect(ctx.rawConfig.mine).toEqual({ k: [1] });
    expect(ctx.stdin.equals(stdin)).toBe(true);
  });
});

describe('versions (C-24, C-32, C-35, C-63, X-12, X-23)', () => {
  it.each(ALL_VERSIONS)('C-35: ADD at %s prints the result in that version, 4-space indented', async (v) => {
    const out = await run(recorder().plugin, cniEnv('ADD'), conf(v));
    expect(out.exitCode).toBe(0);
    const r = JSON.parse(out.stdout);
    expect(r.cniVersion).toBe(v);
    expect(out.stdout).toContain('\n    "cniVersion"');
    if (v === '0.1.0' || v === '0.2.0') expect(r.ip4.ip).toBe('172.20.0.5/16');
    else expect(r.ips[0].address).toBe('172.20.0.5/16');
  });
  it('C-24: an absent cniVersion means 0.1.0', async () => {
    const out = await run(recorder().plugin, cniEnv('ADD'), conf(undefined));
    expect(JSON.parse(out.stdout).cniVersion).toBe('0.1.0');
    const only1 = recorder({ supportedVersions: ['1.0.0'] }).plugin;
    expectError(
      await run(only1, cniEnv('ADD'), conf(undefined)),
      1,
      'incompatible CNI versions',
      'config is "0.1.0", plugin supports ["1.0.0"]',
    );
  });
  it.each(['9.9.9', '1.0', '2.0.0', '0.5.0', '1'])('C-24: %j is code 1 with Go details', async (v) => {
    const e = expectError(
      await run(recorder({ supportedVersions: GO_ALL }).plugin, cniEnv('ADD'), conf(v)),
      1,
      'incompatible CNI versions',
    );
    expect(e.details).toBe(`config is "${v}", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]`);
  });
  it('C-24: a non-string cniVersion is code 6', async () => {
    expectError(
      await run(recorder().plugin, cniEnv('ADD'), conf(undefined, { cniVersion: 1 })),
      6,
      'decoding version from network config: json: cannot unmarshal number into Go struct field .cniVersion of type string',
    );
  });
  it.each(ALL_VERSIONS)('C-63/C-64: CHECK at %s', async (v) => {
    const { plugin, calls } = recorder();
    const out = await run(plugin, cniEnv('CHECK'), conf(v));
    if (['0.1.0', '0.2.0', '0.3.0', '0.3.1'].includes(v)) expectError(out, 1, 'config version does not allow CHECK');
    else {
      expectQuiet(out);
      expect(calls).toHaveLength(1);
    }
  });
  it.each(ALL_VERSIONS.flatMap((v) => [['GC', v] as const, ['STATUS', v] as const]))(
    'X-12/X-23: %s at %s',
    async (cmd, v) => {
      const out = await run(recorder().plugin, cniEnv(cmd), conf(v));
      if (v === '1.1.0') expectQuiet(out);
      else expectError(out, 1, `config version does not allow ${cmd}`);
    },
  );
});

describe('handlers and results', () => {
  it.each(ALL_VERSIONS.filter((v) => v >= '0.4.0'))('C-53/C-64: DEL and CHECK at %s print nothing', async (v) => {
    expectQuiet(await run(recorder().plugin, cniEnv('DEL'), conf(v)));
    expectQuiet(await run(recorder().plugin, cniEnv('CHECK'), conf(v)));
  });
  it('X-08/X-10: STATUS needs no attachment parameters and no CNI_PATH (the spec, not skel ≥1.2)', async () => {
    const { plugin, calls } = recorder();
    expectQuiet(await run(plugin, { CNI_COMMAND: 'STATUS' }, conf('1.1.0')));
    expect(calls[0]).toMatchObject({ command: 'STATUS', containerId: '', ifName: '', path: [] });
  });
  it('X-09: STATUS validates the configuration like the other commands', async () => {
    expectError(await run(recorder().plugin, { CNI_COMMAND: 'STATUS' }, Buffer.from('notjson')), 6);
    expectError(await run(recorder().plugin, { CNI_COMMAND: 'STATUS' }, conf('1.1.0', { name: 'a/b' })), 7);
  });
  it('X-11: a STATUS handler error keeps its code (50/51)', async () => {
    const plugin = recorder({
      status: () => {
        throw new CniError(50, 'plugin not available', 'HNS is not running');
      },
    }).plugin;
    expectError(
      await run(plugin, { CNI_COMMAND: 'STATUS' }, conf('1.1.0')),
      50,
      'plugin not available',
      'HNS is not running',
    );
  });
  it('X-15/X-16/X-20: GC gets the attachment list from either key, undefined when absent, and ignores CNI_CONTAINERID', async () => {
    const { plugin, calls } = recorder();
    const list = [{ containerID: 'a', ifname: 'eth0' }];
    const env = { CNI_COMMAND: 'GC', CNI_PATH: '/p', CNI_CONTAINERID: '', CNI_IFNAME: '', CNI_NETNS: '' };
    expectQuiet(await run(plugin, env, conf('1.1.0', { 'cni.dev/valid-attachments': list })));
    expectQuiet(await run(plugin, env, conf('1.1.0', { 'cni.dev/attachments': list })));
    expectQuiet(await run(plugin, env, conf('1.1.0', { 'cni.dev/valid-attachments': [] })));
    expectQuiet(await run(plugin, env, conf('1.1.0')));
    expect(calls.map((c) => c.validAttachments)).toEqual([list, list, [], undefined]);
  });
  it('GC and STATUS without handlers succeed after the version checks (skel ≥1.2)', async () => {
    const plugin = recorder({ gc: undefined, status: undefined }).plugin;
    expectQuiet(await run(plugin, cniEnv('GC'), conf('1.1.0')));
    expectQuiet(await run(plugin, cniEnv('STATUS'), conf('1.1.0')));
    expectError(await run(plugin, cniEnv('GC'), conf('1.0.0')), 1);
  });
  it.each(['ADD', 'DEL', 'CHECK'] as const)(
    '%s without a handler is a clear code-4 error naming the command',
    async (cmd) => {
      const plugin: CniPlugin = { supportedVersions: ALL_VERSIONS };
      expectError(
        await run(plugin, cniEnv(cmd), conf('1.0.0')),
        4,
        `CNI_COMMAND ${cmd} is not implemented by this plugin`,
      );
    },
  );
  it('async handlers are awaited', async () => {
    const plugin = recorder({ add: async () => new Promise((r) => setTimeout(() => r(RESULT), 20)) }).plugin;
    expect(JSON.parse((await run(plugin, cniEnv('ADD'), conf('1.1.0'))).stdout).ips[0].address).toBe('172.20.0.5/16');
  });
  it('C-03/X-07: a CniError from a handler is printed as is, with the request version', async () => {
    const plugin = recorder({
      add: () => {
        throw new CniError(7, 'Invalid Configuration', 'Network 192.168.0.0/31 too small to allocate from.');
      },
    }).plugin;
    const out = await run(plugin, cniEnv('ADD'), conf('0.4.0'));
    expect(JSON.parse(out.stdout)).toEqual({
      cniVersion: '0.4.0',
      code: 7,
      msg: 'Invalid Configuration',
      details: 'Network 192.168.0.0/31 too small to allocate from.',
    });
    expect(out.stdout).toBe(JSON.stringify(JSON.parse(out.stdout), null, 4));
  });
  it.each([
    [new Error('boom'), 'boom'],
    [
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      "Cannot read properties of undefined (reading 'x')",
    ],
    ['a string', 'a string'],
    [42, '42'],
    [new Error(''), 'internal error'],
  ])('C-03/C-05: any other throw (%s) is code 999 with its message and no stack', async (thrown, msg) => {
    const plugin = recorder({
      del: () => {
        // Non-Error throws are the point of this case.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw thrown;
      },
    }).plugin;
    const out = await run(plugin, cniEnv('DEL'), conf('1.0.0'));
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.0.0', code: 999, msg });
    expect(out.stdout).not.toMatch(/\bat .*:\d+:\d+/);
  });
  it('errors before the version is known carry the newest supported version; an unknown request version too', async () => {
    const plugin = recorder({ supportedVersions: ['0.4.0', '1.0.0'] }).plugin;
    expect(JSON.parse((await run(plugin, cniEnv('ADD'), Buffer.from('x'))).stdout).cniVersion).toBe('1.0.0');
    expect(JSON.parse((await run(plugin, cniEnv('ADD'), conf('9.9.9'))).stdout).cniVersion).toBe('1.0.0');
    expect(JSON.parse((await run(plugin, cniEnv('ADD'), conf('0.3.1'))).stdout).cniVersion).toBe('0.3.1');
  });
  it('an ADD result that is not a valid result model is code 999, not a crash', async () => {
    const plugin = recorder({ add: () => ({ ips: [{ address: 'nope' }] }) }).plugin;
    expectError(await run(plugin, cniEnv('ADD'), conf('1.0.0')), 999);
  });
});

describe('prevResult (C-44, C-56, C-57, C-66, C-71)', () => {
  const prev = {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', sandbox: 'ns' }],
    ips: [{ address: '10.0.0.5/24', gateway: '10.0.0.1', interface: 0 }],
  };
  it('C-44: decoded at the request version and handed to the handler', async () => {
    const { plugin, calls } = recorder();
    await run(plugin, cniEnv('ADD'), conf('1.0.0', { prevResult: prev }));
    expect(calls[0]?.prevResult?.ips?.[0]?.address).toBe('10.0.0.5/24');
  });
  it('C-71: a prevResult without cniVersion is read at the config version', async () => {
    const { plugin, calls } = recorder();
    const { cniVersion: _, ...bare } = prev;
    expectQuiet(await run(plugin, cniEnv('CHECK'), conf('1.0.0', { prevResult: bare })));
    expect(calls[0]?.prevResult?.interfaces?.[0]?.name).toBe('eth0');
  });
  it('C-56: no prevResult is undefined', async () => {
    const { plugin, calls } = recorder();
    await run(plugin, cniEnv('DEL'), conf('1.0.0'));
    expect(calls[0]?.prevResult).toBeUndefined();
  });
  it('C-71: an unreadable prevResult fails ADD/CHECK with 6 but DEL still runs without it', async () => {
    const bad = { cniVersion: '1.0.0', ips: {} };
    expectError(await run(recorder().plugin, cniEnv('CHECK'), conf('1.0.0', { prevResult: bad })), 6);
    expectError(await run(recorder().plugin, cniEnv('ADD'), conf('1.0.0', { prevResult: 5 })), 6);
    const { plugin, calls } = recorder();
    expectQuiet(await run(plugin, cniEnv('DEL'), conf('1.0.0', { prevResult: bad })));
    expect(calls[0]?.prevResult).toBeUndefined();
  });
});
