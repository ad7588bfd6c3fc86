/** Unit level: the suite's own result validators and verdicts, on the spec's example results (test/spec/result/goldens.ts). */
import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../conformance/invoke';
import { judgeError, judgeQuiet, parseStdout } from '../../conformance/judge';
import { validateResult } from '../../conformance/results';

const NETNS = '6f1c9a2e-0d4b-4b8e-9c3f-2a7d5e8b1c40';
const v100 = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'cni-nat0', mac: '00:15:5d:aa:bb:01' },
    { name: 'eth0', mac: '00:15:5d:aa:bb:02', sandbox: NETNS },
  ],
  ips: [
    { interface: 1, address: '172.20.0.5/16', gateway: '172.20.0.1' },
    { interface: 1, address: 'fd00:20::5/64', gateway: 'fd00:20::1' },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }, { dst: '::/0' }],
  dns: {
    nameservers: ['172.20.0.1'],
    domain: 'example.internal',
    search: ['svc.example.internal'],
    options: ['ndots:5'],
  },
};
const v020 = {
  cniVersion: '0.2.0',
  ip4: { ip: '172.20.0.5/16', gateway: '172.20.0.1', routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }] },
  dns: {},
};

const ids = (r: unknown, version: string, mode: 'strict' | 'compat' = 'strict'): string[] =>
  validateResult(r, { version, mode }).findings.map((f) => f.id);

const inv = (stdout: string, exitCode: number): Invocation => ({
  command: 'ADD',
  env: {},
  stdinText: '',
  exitCode,
  signal: null,
  timedOut: false,
  stdout,
  stdoutBytes: Buffer.from(stdout),
  stderr: '',
  durationMs: 1,
});

describe('result validators', () => {
  it('accept the canonical results of every version', () => {
    expect(ids(v100, '1.0.0')).toEqual([]);
    const versioned = {
      ...v100,
      cniVersion: '0.4.0',
      ips: v100.ips.map((ip, i) => ({ ...ip, version: i === 0 ? '4' : '6' })),
    };
    expect(ids(versioned, '0.4.0')).toEqual([]);
    expect(ids(v020, '0.2.0')).toEqual([]);
    expect(
      ids(
        {
          ...v100,
          cniVersion: '1.1.0',
          interfaces: [{ name: 'eth0', mtu: 1450, socketPath: '/run/x.sock' }],
          ips: [{ address: '10.0.0.2/24', interface: 0 }],
          routes: [{ dst: '0.0.0.0/0', priority: 10, scope: 0 }],
        },
        '1.1.0',
      ),
    ).toEqual([]);
  });

  it('flag each flaw with its checklist id', () => {
    expect(ids({ ...v100, cniVersion: '0.4.0' }, '1.0.0')).toContain('C-35');
    expect(ids({ ...v100, ips: [{ address: '10.0.0.2' }] }, '1.0.0')).toEqual(['C-37']);
    expect(ids({ ...v100, ips: [{ address: '10.0.0.2/24', gateway: 'fd00::1' }] }, '1.0.0')).toEqual(['C-38']);
    expect(ids({ ...v100, ips: [{ address: '10.0.0.2/24', interface: 7 }] }, '1.0.0')).toEqual(['C-39']);
    expect(ids({ ...v100, interfaces: [{ name: 'eth0', mac: '\u0000\u0015]' }], ips: [] }, '1.0.0')).toEqual(['C-41']);
    expect(ids({ ...v100, dns: { nameservers: [''] } }, '1.0.0')).toEqual(['C-42']);
    expect(ids({ ...v100, routes: [{ dst: '0.0.0.0' }] }, '1.0.0')).toEqual(['C-43']);
    expect(ids({ ...v100, cniVersion: '0.4.0' }, '0.4.0')).toContain('C-47');
    expect(ids({ cniVersion: '0.2.0', dns: {} }, '0.2.0')).toEqual(['C-47']);
    expect(ids({ ...v100, ips: [{ address: '10.0.0.2/24', interface: null }] }, '1.0.0')).toContain('S5-9');
  });

  it('differ by mode where the Go ecosystem is looser', () => {
    const dashed = { ...v100, interfaces: [{ name: 'eth0', mac: '00-15-5D-AA-BB-02' }], ips: [] };
    expect(ids(dashed, '1.0.0', 'strict')).toEqual(['C-41']);
    expect(ids(dashed, '1.0.0', 'compat')).toEqual([]);
    const withMtu = { ...v100, interfaces: [{ name: 'eth0', mtu: 1500 }], ips: [] };
    expect(ids(withMtu, '1.0.0', 'strict').sort()).toEqual(['C-36', 'X-05']);
    expect(ids(withMtu, '1.0.0', 'compat')).toEqual([]);
    const { cniVersion: _v, ...unversioned } = v100;
    void _v;
    expect(ids(unversioned, '1.0.0', 'strict')).toEqual(['C-35']);
    expect(ids(unversioned, '1.0.0', 'compat')).toEqual([]);
  });
});

describe('verdicts', () => {
  it('E(c) wants a non-zero exit, an integer code in the set, a msg, and cniVersion in strict mode', () => {
    expect(judgeError(inv('{"cniVersion":"1.0.0","code":7,"msg":"bad"}', 1), [7], 'strict', '1.0.0').problems).toEqual(
      [],
    );
    expect(judgeError(inv('{"code":7,"msg":"bad"}', 1), [7], 'compat').problems).toEqual([]);
    expect(judgeError(inv('{"code":7,"msg":"bad"}', 1), [7], 'strict').problems.join()).toMatch(/cniVersion/);
    expect(judgeError(inv('{"code":"7","msg":"bad"}', 1), [7], 'compat').problems.join()).toMatch(/integer/);
    expect(
      judgeError(inv('{"code":999,"msg":"bad"}', 1), { strict: [7], compat: [7, '>=100'] }, 'compat').problems,
    ).toEqual([]);
    expect(judgeError(inv('{"code":7,"msg":"bad"}', 0), [7], 'compat').problems.join()).toMatch(/exit status 0/);
    expect(judgeError(inv('', 1), 'any', 'compat').problems.join()).toMatch(/stdout is empty/);
  });

  it('QUIET and the stdout parser', () => {
    expect(judgeQuiet(inv(' \n', 0))).toEqual([]);
    expect(judgeQuiet(inv('{}', 0))).not.toEqual([]);
    expect(parseStdout(inv('{"a":1}\nok', 0)).kind).toBe('invalid');
    expect(parseStdout({ stdout: '\ufeff{}', stdoutBytes: Buffer.from('\ufeff{}') }).kind).toBe('invalid');
    expect(parseStdout(inv(' {"a":1} \r\n', 0)).kind).toBe('json');
  });
});
