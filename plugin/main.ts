/**
 * The process entry of dist/nat, the development build: the HNS backend is NAT_CNI_HNS's
 * (hns/backend.ts), and off Windows there is none unless it is named: the call then fails with
 * code 4 instead of running on a simulator nobody asked for. nat.exe's entry is main-windows.ts.
 * The operator commands (`install`, `doctor`, ...) reach HNS the same way.
 */
import { parseHnsBackend, HNS_BACKEND_ENV } from '../hns/backend';
import { CniCode, CniError } from '../spec/errors';
import type { HnsChoice } from './deps';
import { runNat } from './entry';
import type { DepsFactory } from './plugin';

// Required when a command first opens HNS, not at start-up (VERSION never does; `make bench`).
const createFfiApi: typeof import('../hns/ffi').createFfiApi = (lib) =>
  (require('../hns/ffi') as typeof import('../hns/ffi')).createFfiApi(lib);
// The one import of the simulator outside hns/sim and test (test/layers.test.ts): dist/nat keeps it.
const createSimApi = (dir: string) => (require('../hns/sim/api') as typeof import('../hns/sim/api')).createSimApi(dir);
const defaultLockDir = () => (require('./lock') as typeof import('./lock')).defaultLockDir();
const loadSettings = (dir: string) =>
  (require('../hns/sim/state') as typeof import('../hns/sim/state')).loadSettings(dir);
const hostAdapterNames = () =>
  (require('../hns/ffi/adapters') as typeof import('../hns/ffi/adapters')).hostAdapterNames();

function devHns(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): HnsChoice {
  const backend = parseHnsBackend(env[HNS_BACKEND_ENV], platform);
  if (!backend) {
    return {
      open: () => {
        throw new CniError(
          CniCode.InvalidEnvironmentVariables,
          `${HNS_BACKEND_ENV} is not set: this development build of nat-cni has no HNS of its own off Windows; set ${HNS_BACKEND_ENV}=sim:<state folder> (the simulator) or ffi:<library> (a library with the HCN exports)`,
        );
      },
      lockDir: defaultLockDir(),
    };
  }
  // The simulator serialises on its state folder, so the plugin's network locks live beside it.
  const open = () => (backend.kind === 'ffi' ? createFfiApi(backend.library) : createSimApi(backend.stateDir));
  // The host's adapters: the simulator's setting stands in for the OS; a library on Windows, the OS's own.
  const adapters = () =>
    backend.kind === 'sim'
      ? loadSettings(backend.stateDir).hostAdapters
      : platform === 'win32'
        ? hostAdapterNames()
        : undefined;
  return { open, lockDir: backend.kind === 'sim' ? backend.stateDir : defaultLockDir(), adapters };
}

const deps: DepsFactory = (ctx) => (require('./plugin') as typeof import('./plugin')).processDeps(devHns)(ctx);
void runNat(deps, () => devHns(process.env, process.platform));
