/**
 * Chooses the HcnApi from NAT_CNI_HNS:
 *   ffi          koffi binding to System32's computenetwork.dll (the default on Windows)
 *   ffi:<path>   the same binding against another library with the same exports (the fake one)
 *   sim:<dir>    the simulator, its state kept in <dir> so that separate plugin processes share one
 *                HNS (the default elsewhere, in DEFAULT_SIM_STATE_DIR)
 */
import os from 'node:os';
import path from 'node:path';
import type { HcnApi } from './api';
import { HR, HnsError, errorRecordJson } from './errors';
import { createFfiApi } from './ffi';
import { createSimApi } from './sim/api';

export const HNS_BACKEND_ENV = 'NAT_CNI_HNS';

/** Where the simulator keeps its state when NAT_CNI_HNS is unset off Windows. */
export const DEFAULT_SIM_STATE_DIR = path.join(os.tmpdir(), 'nat-cni-hns-sim');

export type HnsBackend = { kind: 'ffi'; library?: string } | { kind: 'sim'; stateDir: string };

function invalid(value: string, why: string): never {
  const hr = HR.E_INVALIDARG;
  throw new HnsError(HNS_BACKEND_ENV, hr, errorRecordJson(hr, `${HNS_BACKEND_ENV}=${JSON.stringify(value)}: ${why}`));
}

export function parseHnsBackend(value: string | undefined, platform: NodeJS.Platform = process.platform): HnsBackend {
  if (value === undefined || value === '') {
    return platform === 'win32' ? { kind: 'ffi' } : { kind: 'sim', stateDir: DEFAULT_SIM_STATE_DIR };
  }
  if (value === 'ffi') return { kind: 'ffi' };
  if (value.startsWith('ffi:')) {
    const library = value.slice('ffi:'.length);
    if (library === '') invalid(value, 'empty library path');
    return { kind: 'ffi', library };
  }
  if (value.startsWith('sim:')) {
    const stateDir = value.slice('sim:'.length);
    if (stateDir === '') invalid(value, 'empty state folder');
    return { kind: 'sim', stateDir };
  }
  return invalid(value, 'expected ffi, ffi:<library path> or sim:<state folder>');
}

export function createHcnApi(backend: HnsBackend): HcnApi {
  return backend.kind === 'ffi' ? createFfiApi(backend.library) : createSimApi(backend.stateDir);
}

export function createHcnApiFromEnv(env: NodeJS.ProcessEnv = process.env): HcnApi {
  return createHcnApi(parseHnsBackend(env[HNS_BACKEND_ENV]));
}
