/**
 * Through dist/nat: `master` is used only when the host has that adapter (the simulator's hostAdapters
 * stand in for the OS), and the log settings have one reader (a relative logFile is never written, on
 * any command; STATUS logs at debug; an ERROR_NOT_FOUND names what the call was about).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimHost, buildPluginAndSim, natConfig } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});
function fresh(): SimHost {
  const host = new SimHost();
  cleanup.push(() => host.remove());
  return host;
}
const adapterPolicies = (host: SimHost) =>
  (
    (host.dump().networks[0]?.Policies as Array<{ Type: string; Settings?: Record<string, unknown> }> | undefined) ?? []
  ).filter((p) => p.Type === 'NetAdapterName');

describe('master', () => {
  it("names an adapter the host has: the network gets it as NetAdapterName (any case, the host's spelling)", () => {
    const host = fresh();
    const add = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config: natConfig('1.0.0', { master: 'ethernet' }),
    });
    expect(add.code, add.stdout).toBe(0);
    expect(adapterPolicies(host)).toEqual([{ Type: 'NetAdapterName', Settings: { NetworkAdapterName: 'Ethernet' } }]);
  });

  it('names no adapter of the host ("Ethernet" on a host with "Ethernet 2"): a warning, and the network as Go makes it', () => {
    const host = fresh();
    host.sim('settings', 'set', 'hostAdapters', '["Ethernet 2", "vEthernet (nat)"]');
    const logFile = path.join(host.stateDir, 'nat.log');
    const add = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config: natConfig('1.0.0', { master: 'Ethernet', logFile }),
    });
    expect(add.code, add.stdout).toBe(0);
    expect(host.dump().networks).toHaveLength(1);
    expect(adapterPolicies(host)).toEqual([]);
    expect(fs.readFileSync(logFile, 'utf8')).toContain(
      '\\"master\\": \\"Ethernet\\" names no network adapter of this host (its adapters: \\"Ethernet 2\\", \\"vEthernet (nat)\\")',
    );
  });

  it('optionalFlags.errorOnMissingAdapter makes it code 7, before any network exists', () => {
    const host = fresh();
    host.sim('settings', 'set', 'hostAdapters', '["Ethernet 2"]');
    const config = natConfig('1.0.0', { master: 'Ethernet', optionalFlags: { errorOnMissingAdapter: true } });
    const add = host.run({ command: 'ADD', containerId: 'c1', netns: host.createNamespace(), ifName: 'eth0', config });
    expect(add.code).toBe(1);
    expect(add.json).toMatchObject({ code: 7 });
    expect(String(add.json?.msg)).toContain('"master": "Ethernet" names no network adapter of this host');
    expect(host.dump().networks).toEqual([]);
  });
});

describe('log settings', () => {
  it.each(['ADD', 'CHECK', 'DEL', 'GC', 'STATUS'])(
    '%s with a relative logFile never writes it into the working folder',
    (command) => {
      const host = fresh();
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-cwd-'));
      cleanup.push(() => fs.rmSync(cwd, { recursive: true, force: true }));
      const v = command === 'GC' || command === 'STATUS' ? '1.1.0' : '1.0.0';
      const config = natConfig(v, {
        logFile: 'wincni.log',
        ...(command === 'CHECK' ? { prevResult: { cniVersion: v, ips: [] } } : {}),
      });
      const answer = host.run({
        command,
        containerId: 'c1',
        netns: host.createNamespace(),
        ifName: 'eth0',
        config,
        cwd,
      });
      expect(fs.readdirSync(cwd)).toEqual([]);
      // ADD, CHECK and STATUS refuse the config (code 7, naming the field); DEL and GC go on without that file.
      if (command === 'ADD' || command === 'CHECK' || command === 'STATUS') {
        expect(answer.json).toMatchObject({ code: 7 });
        expect(String(answer.json?.msg)).toContain('logFile');
      } else {
        expect(answer.code, answer.stdout).toBe(0);
        expect(answer.stderr).toContain('logFile: \\"wincni.log\\" is not an absolute path; not used');
      }
    },
  );

  it('STATUS logs its success at debug, not info (containerd calls it on every CRI status poll)', () => {
    const host = fresh();
    const logFile = path.join(host.stateDir, 'nat.log');
    expect(host.run({ command: 'STATUS', config: natConfig('1.1.0', { logFile }) }).code).toBe(0);
    expect(fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '').not.toContain('STATUS ok');
    expect(host.run({ command: 'STATUS', config: natConfig('1.1.0', { logFile, logLevel: 'debug' }) }).code).toBe(0);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('STATUS ok');
  });

  it('an ERROR_NOT_FOUND of HcnCreateNetwork names what the network request refers to, not a namespace', () => {
    const host = fresh();
    host.sim('fault', 'add', '--fn', 'HcnCreateNetwork', '--nth', '1', '--hresult', '0x80070490');
    const add = host.run({
      command: 'ADD',
      containerId: 'c1',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config: natConfig('1.0.0'),
    });
    expect(add.code).toBe(1);
    const msg = String(add.json?.msg);
    expect(msg).toContain('HcnCreateNetwork failed with ERROR_NOT_FOUND');
    expect(msg).toContain('the network request refers to');
    expect(msg).not.toContain('namespace');
  });
});
