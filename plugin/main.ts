/**
 * The process entry of dist/nat, the development build: the HNS backend is NAT_CNI_HNS's
 * (hns/backend.ts), and off Windows there is none unless it is named: the call then fails with
 * code 4 instead of running on a simulator nobody asked for. nat.exe's entry is main-windows.ts.
 * The operator commands (`install`, `doctor`, ...) reach HNS the same way.
 */
import { parseHnsBackend, HNS_BACKEND_ENV } from '../hns/backend';
import { createFfiApi } from '../hns/ffi';
// The one import of the simulator outside hns/sim and test (test/layers.test.ts): dist/nat keeps it.
import { createSimApi } from '../hns/sim/api';
import { loadSettings } from '../hns/sim/state';
import { hostAdapterNames } from '../hns/ffi/adapters';
import { CniCode, CniError } from '../spec/errors';
import type { HnsChoice } from './deps';
import { runNat } from './entry';
import { defaultLockDir } from './lock';
import { processDeps } from './plugin';

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
    backend.kind === 'sim' ? loadSettings(backend.stateDir).hostAdapters : platform === 'win32' ? hostAdapterNames() : undefined;
  return { open, lockDir: backend.kind === 'sim' ? backend.stateDir : defaultLockDir(), adapters };
}

runNat(processDeps(devHns), () => devHns(process.env, process.platform));
