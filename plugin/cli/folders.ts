/**
 * Every folder the operator commands create goes through ensureAdminOnlyFolder: on Windows a folder
 * that only SYSTEM and Administrators may change (a protected DACL, no inherited entries: a folder
 * created under C:\ would otherwise inherit Modify for Authenticated Users), elsewhere a plain mkdir.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The Windows primitives, loaded only on Windows (they bind advapi32 and kernel32 through koffi). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Windows only
const security = () => require('../../hns/ffi/security') as typeof import('../../hns/ffi/security');

/** The folders of `dir` that do not exist yet, outermost first. */
export function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  return missing;
}

/** Create `dir` (and its missing parents), each admin-only on Windows. Returns the folders created. */
export function ensureAdminOnlyFolder(dir: string, platform: NodeJS.Platform = process.platform): string[] {
  const created = missingFolders(dir);
  for (const d of created) {
    if (platform === 'win32') security().ensureProtectedFolder(d);
    else fs.mkdirSync(d, { mode: 0o755 });
  }
  return created;
}

export type Protection = { state: 'ok' } | { state: 'open' | 'unknown'; why: string };

/** Whether only administrators can change `dir` (doctor). */
export function folderProtection(dir: string, platform: NodeJS.Platform = process.platform): Protection {
  if (platform !== 'win32') return { state: 'unknown', why: 'folder DACLs are checked on Windows only' };
  try {
    const verdict = security().existingFolderAction(dir);
    return verdict.action === 'ok' ? { state: 'ok' } : { state: 'open', why: verdict.why };
  } catch (e) {
    return {
      state: 'unknown',
      why: `cannot read the security of ${dir}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
