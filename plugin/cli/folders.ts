/**
 * Every folder the operator commands create goes through ensureAdminOnlyFolder: on Windows a folder
 * that only SYSTEM and Administrators may change (a protected DACL, no inherited entries: a folder
 * created under C:\ would otherwise inherit Modify for Authenticated Users), elsewhere a plain mkdir.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The Windows folder hardening is not part of this build (see ensureAdminOnlyFolder). */
export class FolderHardeningMissing extends Error {
  override readonly name = 'FolderHardeningMissing';
}

/**
 * The Windows side: the protected-folder primitive of the plugin's hardening (create with an explicit
 * DACL; check owner, DACL and reparse point of an existing one). Until that module is part of this
 * build, refuse rather than create folders that other users could write.
 */
function ensureProtectedFolderWindows(dir: string): void {
  throw new FolderHardeningMissing(
    `cannot create ${dir} with an administrators-only DACL: this build has no Windows folder hardening; create the folder yourself ` +
      '(as an administrator, under C:\\Program Files) and run the command again',
  );
}

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
    if (platform === 'win32') ensureProtectedFolderWindows(d);
    else fs.mkdirSync(d, { mode: 0o755 });
  }
  return created;
}

export type Protection = { state: 'ok' } | { state: 'open' | 'unknown'; why: string };

/** Whether only administrators can change `dir` (doctor). */
export function folderProtection(dir: string, platform: NodeJS.Platform = process.platform): Protection {
  if (platform !== 'win32') return { state: 'unknown', why: 'folder DACLs are checked on Windows only' };
  return { state: 'unknown', why: 'this build cannot read folder DACLs (no Windows folder hardening in it)' };
}
