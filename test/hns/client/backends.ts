/**
 * The two ways the typed client reaches HNS in tests: the in-process simulator, and the real FFI path
 * (koffi -> the fake libcomputenetwork.so -> `hns-sim serve` in another process). One suite runs on both.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HcnApi } from '../../../hns/api';
import { createFfiApi } from '../../../hns/ffi';
import { createSimApi } from '../../../hns/sim/api';
import { FAKE_SO, REPO, buildFake, outstandingCounter } from '../ffi/harness';

export interface BackendSession {
  api: HcnApi;
  stateDir: string;
  /** Out-strings not yet freed and handles not yet closed, where the backend can count them. */
  outstanding?: () => { strings: number; handles: number };
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  open(): Promise<BackendSession>;
}

const freshStateDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nat-cni-client-'));

export const HNS_SIM = path.join(REPO, 'dist/hns-sim');

export function buildSim(): string {
  execFileSync('make', ['-s', 'dist/hns-sim'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  return HNS_SIM;
}

/** Start `hns-sim serve` on a free loopback port; resolves once it prints its address. */
export async function startSimServer(stateDir: string): Promise<{ addr: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [HNS_SIM, '--state', stateDir, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const addr = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString();
      const m = /listening (\S+)/.exec(seen);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`hns-sim serve exited with ${code}`)));
  });
  return {
    addr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const simBackend: Backend = {
  name: 'in-process simulator',
  async open() {
    const stateDir = freshStateDir();
    const api = createSimApi(stateDir);
    return {
      api,
      stateDir,
      async close() {
        api.dispose();
        fs.rmSync(stateDir, { recursive: true, force: true });
      },
    };
  },
};

export const ffiBackend: Backend = {
  name: 'koffi -> fake libcomputenetwork.so -> hns-sim serve',
  async open() {
    buildFake('dist/libcomputenetwork.so');
    buildSim();
    const stateDir = freshStateDir();
    const server = await startSimServer(stateDir);
    const previous = process.env.NAT_CNI_HNS_SIM_ADDR;
    // The fake reads the address with getenv at each call; Node's process.env writes through to it.
    process.env.NAT_CNI_HNS_SIM_ADDR = server.addr;
    const api = createFfiApi(FAKE_SO);
    return {
      api,
      stateDir,
      outstanding: outstandingCounter(FAKE_SO),
      async close() {
        api.dispose();
        if (previous === undefined) delete process.env.NAT_CNI_HNS_SIM_ADDR;
        else process.env.NAT_CNI_HNS_SIM_ADDR = previous;
        await server.stop();
        fs.rmSync(stateDir, { recursive: true, force: true });
      },
    };
  },
};
