/**
 * The development build's choice of HcnApi (dist/nat; nat.exe has no choice, see
 * plugin/main-windows.ts), from NAT_CNI_HNS:
 *   ffi          koffi binding to System32's computenetwork.dll (the default on Windows)
 *   ffi:<path>   the same binding against another library with the same exports (the fake one)
 *   sim:<dir>    the simulator, its state kept in <dir> so that separate plugin processes share one
 *                HNS, as on a real host
 * Off Windows there is no default: a plugin that silently ran on a simulator in a temp folder
 * would answer success for networks that exist nowhere. Only the choice is made here; opening the
 * simulator is the development entry's job (plugin/main.ts), so nothing else reaches hns/sim.
 */
import { HR, HnsError, errorRecordJson } from './errors';

export const HNS_BACKEND_ENV = 'NAT_CNI_HNS';

export type HnsBackend = { kind: 'ffi'; library?: string } | { kind: 'sim'; stateDir: string };

function invalid(value: string, why: string): never {
  const hr = HR.E_INVALIDARG;
  throw new HnsError(HNS_BACKEND_ENV, hr, errorRecordJson(hr, `${HNS_BACKEND_ENV}=${JSON.stringify(value)}: ${why}`));
}

/** undefined: NAT_CNI_HNS unset (or empty) off Windows, where no backend is implied. */
export function parseHnsBackend(
  value: string | undefined,
  platform: NodeJS.Platform = process.platform,
): HnsBackend | undefined {
  if (value === undefined || value === '') return platform === 'win32' ? { kind: 'ffi' } : undefined;
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
