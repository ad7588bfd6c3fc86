/**
 * The process entry of nat.exe, the release: HNS is computenetwork.dll and vmcompute.dll from the
 * System32 folder the OS reports, and nothing else (no NAT_CNI_HNS, no simulator in the bundle:
 * test/layers.test.ts and test/exe check both). koffi's native addon folder beside nat.exe
 * is checked before the first HNS call of every invocation (hns/ffi/native-sea.ts).
 */
import path from 'node:path';
import { CniError } from '../spec/errors';
import { runNat } from './entry';
import { NatCode } from './errors';
import type { DepsFactory } from './plugin';
import type { PluginLog } from './log';

// Required when a command runs, not at start-up: VERSION needs none of them (`make bench`).
const ffi = () => require('../hns/ffi') as typeof import('../hns/ffi');
const sddl = () => require('../hns/ffi/sddl') as typeof import('../hns/ffi/sddl');
const security = () => require('../hns/ffi/security') as typeof import('../hns/ffi/security');
const nativeSea = () => require('../hns/ffi/native-sea') as typeof import('../hns/ffi/native-sea');
const defaultLockDir = () => (require('./lock') as typeof import('./lock')).defaultLockDir();

function openSystemHcn() {
  const { UntrustedObjectError } = security();
  try {
    nativeSea().secureAddonFolder();
  } catch (e) {
    if (e instanceof UntrustedObjectError)
      throw new CniError(NatCode.Untrusted, `refusing to use koffi's native addon: ${e.message}`);
    throw e;
  }
  return ffi().createFfiApi();
}

/**
 * Whoever may write to nat.exe's own folder can replace nat.exe, which nothing inside it can
 * prevent; say so in the log on every call (a warning, not a refusal: the folder is the
 * administrator's, and docs/windows.md says how to close it).
 */
function warnIfOwnFolderOpen(log: PluginLog): void {
  const dir = path.dirname(process.execPath);
  const { judgeFolder, parseSddl } = sddl();
  const { fileSddl, processUserSid } = security();
  try {
    const verdict = judgeFolder(parseSddl(fileSddl(dir)), dir, processUserSid());
    if (!verdict.ok) log.warn(`nat.exe can be replaced by non-administrators: ${verdict.why}`, { folder: dir });
  } catch (e) {
    log.warn('cannot read the security of the folder of nat.exe', { folder: dir, error: e });
  }
}

const adapters = () => (require('../hns/ffi/adapters') as typeof import('../hns/ffi/adapters')).hostAdapterNames();
const systemHns = () => ({ open: openSystemHcn, lockDir: defaultLockDir(), adapters });
const deps: DepsFactory = (ctx) => {
  const d = (require('./plugin') as typeof import('./plugin')).processDeps(systemHns)(ctx);
  warnIfOwnFolderOpen(d.log);
  return d;
};

void runNat(deps, systemHns);
