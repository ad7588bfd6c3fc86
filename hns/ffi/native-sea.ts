/**
 * koffi's native addon inside nat.exe (a Node single-executable application). A SEA's require()
 * only loads built-in modules, so the win32 addon travels as the SEA asset `koffi.node` and must be
 * written to disk for process.dlopen. tools/exe/build.sh bundles nat.exe with koffi's
 * `require('@koromix/koffi-win32-x64')` aliased to native-sea-addon.ts, which calls
 * loadKoffiAddonFromSea(); outside nat.exe nothing here runs and koffi loads from node_modules.
 *
 * Where and how (nat.exe runs as SYSTEM, so whoever can change the file we load owns the host):
 * - The bytes are the SEA asset, in our memory, checked against the sha256 pinned at build time.
 * - They are written to a fresh file name in `nat-cni-native\` beside nat.exe (O_EXCL: the name did
 *   not exist, so nobody planted it; while we write, the handle shares nothing) and that file is
 *   loaded. No path is checked and then loaded later: the only window is between our close and
 *   LoadLibrary's open of a file we just created, and in it only principals that may write to the
 *   folder can touch the file.
 * - So the folder must be SYSTEM and Administrators only. It is created with that protected DACL,
 *   and checked (owner, DACL, not a junction or symlink) on every invocation, then rebuilt or
 *   refused (secureAddonFolder). That check needs koffi, hence runs right after this load; the one
 *   load it cannot precede is the very first on a host, when the folder did not exist and is
 *   created by Node with the parent's inherited ACL (docs/windows.md, "Security").
 * - Once loaded, Windows keeps a DLL's file from being written or deleted while it is mapped. Files
 *   of earlier invocations are removed when no process has them loaded any more.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getRawAsset, isSea } from 'node:sea';
import { ensureProtectedFolder } from './security';

/** The SEA asset name of the addon, as in tools/exe/sea-config.json. */
export const KOFFI_ASSET = 'koffi.node';
export const ADDON_FOLDER = 'nat-cni-native';

/** Set by esbuild's --define when nat.exe is built (tools/exe/build.sh); absent everywhere else. */
declare const NAT_CNI_KOFFI_VERSION: string | undefined;
declare const NAT_CNI_KOFFI_SHA256: string | undefined;

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const addonFolder = (execPath: string, pathApi: path.PlatformPath = path): string =>
  pathApi.join(pathApi.dirname(execPath), ADDON_FOLDER);

const ADDON_NAME = /^koffi-[0-9A-Za-z.-]+-[0-9a-f]{16}-[0-9]+-[0-9a-f]{16}\.node$/;

/** A name no earlier invocation used: version and hash (for people), then PID and 64 random bits. */
export function freshAddonName(version: string, sha256: string, pid = process.pid): string {
  return `koffi-${version}-${sha256.slice(0, 16)}-${pid}-${randomBytes(8).toString('hex')}.node`;
}

/** libuv's flag for a share mode of 0 (Windows only; elsewhere 0, and O_EXCL alone). */
const EXCLUSIVE = (fs.constants as Record<string, number>).UV_FS_O_EXLOCK ?? 0;

/**
 * The folder as the loader may use it before koffi can check its security: it must be a real folder
 * (lstat sees junctions and symbolic links as links on Windows), created here if missing.
 */
export function prepareAddonFolder(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(dir, { mode: 0o700 });
    st = fs.lstatSync(dir);
  }
  if (st.isSymbolicLink()) throw new Error(`${dir} is a junction or symbolic link: remove it (an administrator)`);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
}

/**
 * Writes `bytes` (checked against `sha256` first) to a fresh file in `dir` and returns its path.
 * Never reuses or overwrites a file: a name that exists is someone else's, and another is taken.
 */
export function writeFreshAddon(dir: string, version: string, sha256: string, bytes: Uint8Array): string {
  const got = sha256Hex(bytes);
  if (got !== sha256) throw new Error(`the embedded ${KOFFI_ASSET} is corrupt: sha256 ${got}, expected ${sha256}`);
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | EXCLUSIVE;
  for (let attempt = 0; ; attempt++) {
    const file = path.join(dir, freshAddonName(version, sha256));
    let fd: number;
    try {
      fd = fs.openSync(file, flags, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw e;
    }
    try {
      for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    return file;
  }
}

/** Remove the addon files of earlier invocations; those still loaded by a running process stay (EPERM/EBUSY). */
export function removeStaleAddons(dir: string, keep: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!ADDON_NAME.test(name) || path.join(dir, name) === keep) continue;
    try {
      fs.rmSync(path.join(dir, name));
    } catch {
      // in use, or already gone
    }
  }
}

function seaAsset(): Uint8Array {
  const raw = getRawAsset(KOFFI_ASSET);
  // Only getRawAsset(key, encoding) gives a string; the typings merge both overloads.
  if (typeof raw === 'string') throw new Error(`SEA asset ${KOFFI_ASSET} came back as text`);
  return new Uint8Array(raw);
}

/** The addon's exports, for koffi; called only inside nat.exe. */
export function loadKoffiAddonFromSea(): unknown {
  const version = typeof NAT_CNI_KOFFI_VERSION === 'string' ? NAT_CNI_KOFFI_VERSION : undefined;
  const sha256 = typeof NAT_CNI_KOFFI_SHA256 === 'string' ? NAT_CNI_KOFFI_SHA256 : undefined;
  try {
    if (!isSea() || !version || !sha256)
      throw new Error('not inside nat.exe (no SEA, or built without the addon pins)');
    const dir = addonFolder(process.execPath);
    prepareAddonFolder(dir);
    const file = writeFreshAddon(dir, version, sha256, seaAsset());
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    removeStaleAddons(dir, file);
    return mod.exports;
  } catch (e) {
    // koffi swallows the exception of this require() and reports only "Cannot find the native
    // Koffi module", so the cause goes to stderr, which runtimes log with the plugin's failure.
    fs.writeSync(2, `nat-cni: cannot load koffi's native addon: ${e instanceof Error ? e.message : String(e)}\n`);
    throw e;
  }
}

/**
 * Checks, now that koffi is loaded, that the addon folder is SYSTEM and Administrators only,
 * giving it our protected DACL if it is ours but open (e.g. created with an inherited ACL), and
 * refusing it otherwise (UntrustedObjectError). Every invocation of nat.exe calls it before its
 * first HNS call; outside nat.exe it does nothing.
 */
export function secureAddonFolder(): void {
  if (!isSea()) return;
  ensureProtectedFolder(addonFolder(process.execPath));
}
