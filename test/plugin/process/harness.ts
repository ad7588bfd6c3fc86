/**
 * Runs dist/nat as a runtime does: a separate process, the CNI environment, the config on stdin, one
 * JSON answer on stdout. The HNS behind it is the simulator in a fresh state folder, driven and
 * inspected through dist/hns-sim (namespace create, dump, fault) and, where a test must change HNS
 * behind the plugin's back, through the simulator's api on the same folder.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const NAT = path.join(REPO, 'dist/nat');
export const HNS_SIM = path.join(REPO, 'dist/hns-sim');

export function buildPluginAndSim(): void {
  execFileSync('make', ['-s', 'dist/nat', 'dist/hns-sim'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

export interface Invocation {
  command: string;
  containerId?: string;
  netns?: string;
  ifName?: string;
  args?: string;
  path?: string;
  config: unknown;
  env?: Record<string, string>;
  /** The plugin's working folder (a runtime's is arbitrary: C:\\Windows\\System32 under containerd). */
  cwd?: string;
}

export class SimHost {
  readonly stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-plugin-'));

  sim(...args: string[]): string {
    return execFileSync(process.execPath, [HNS_SIM, '--state', this.stateDir, ...args], { encoding: 'utf8' });
  }

  /** A namespace as containerd creates it before ADD; its GUID is CNI_NETNS. */
  createNamespace(): string {
    return this.sim('namespace', 'create').trim();
  }

  dump(): SimDump {
    return JSON.parse(this.sim('dump')) as SimDump;
  }

  env(inv: Invocation): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NAT_CNI_HNS: `sim:${this.stateDir}`,
      CNI_COMMAND: inv.command,
      CNI_PATH: inv.path ?? '/usr/lib/cni',
      ...inv.env,
    };
    if (inv.containerId !== undefined) env.CNI_CONTAINERID = inv.containerId;
    if (inv.netns !== undefined) env.CNI_NETNS = inv.netns;
    if (inv.ifName !== undefined) env.CNI_IFNAME = inv.ifName;
    if (inv.args !== undefined) env.CNI_ARGS = inv.args;
    return env;
  }

  run(inv: Invocation): Answer {
    const r = spawnSync(NAT, [], {
      input: JSON.stringify(inv.config),
      env: this.env(inv),
      encoding: 'utf8',
      timeout: 60_000,
      ...(inv.cwd ? { cwd: inv.cwd } : {}),
    });
    return answerOf(r.status, r.stdout, r.stderr);
  }

  /** The same, asynchronously, for many plugin processes at once. */
  runAsync(inv: Invocation): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const child = spawn(NAT, [], { env: this.env(inv), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve(answerOf(code, stdout, stderr)));
      child.stdin.end(JSON.stringify(inv.config));
    });
  }

  remove(): void {
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

function answerOf(code: number | null, stdout: string, stderr: string): Answer {
  let json: Record<string, unknown> | undefined;
  try {
    json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** The parts of `hns-sim dump` the tests read; keys as HNS writes them. */
export interface SimDump {
  networks: Array<Record<string, unknown> & { ID: string; Name: string }>;
  endpoints: Array<
    Record<string, unknown> & {
      ID: string;
      Name: string;
      HostComputeNetwork?: string;
      HostComputeNamespace?: string;
      Policies?: Array<{ Type: string; Settings?: Record<string, unknown> }>;
      IpConfigurations?: Array<{ IpAddress: string }>;
    }
  >;
  namespaces: Array<
    Record<string, unknown> & { ID: string; Resources?: Array<{ Type: string; Data?: { Id?: string } }> }
  >;
}

export const natConfig = (version: string, extra: Record<string, unknown> = {}) => ({
  cniVersion: version,
  name: 'nat',
  type: 'nat',
  ipam: { subnet: '172.20.0.0/16', routes: [{ gateway: '172.20.0.1' }] },
  capabilities: { portMappings: true, dns: true },
  ...extra,
});
