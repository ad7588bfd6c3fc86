/**
 * The process entry of nat.exe, the release: HNS is computenetwork.dll and vmcompute.dll from the
 * System32 folder the OS reports, and nothing else (no NAT_CNI_HNS, no simulator in the bundle:
 * test/plugin/layers.test.ts and test/exe check both). koffi's native addon folder beside nat.exe
 * is checked before the first HNS call of every invocation (hns/ffi/native-sea.ts).
 */
import { createFfiApi } from '../hns/ffi';
import { UntrustedObjectError } from '../hns/ffi/security';
import { secureAddonFolder } from '../hns/ffi/native-sea';
import { CniError } from '../spec/errors';
import { runNat } from './entry';
import { NatCode } from './errors';
import { defaultLockDir } from './lock';
import { processDeps } from './plugin';

function openSystemHcn() {
  try {
    secureAddonFolder();
  } catch (e) {
    if (e instanceof UntrustedObjectError) throw new CniError(NatCode.Untrusted, `refusing to use koffi's native addon: ${e.message}`);
    throw e;
  }
  return createFfiApi();
}

runNat(processDeps(() => ({ open: openSystemHcn, lockDir: defaultLockDir() })));
