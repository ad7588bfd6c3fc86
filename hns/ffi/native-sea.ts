/**
 * koffi's native addon inside nat.exe (a Node single-executable application). A SEA's require()
 * only loads built-in modules, so the win32 addon travels as the SEA asset `koffi.node` and must be
 * written to disk for process.dlopen. tools/exe/build.sh bundles nat.exe with koffi's
 * `require('@koromix/koffi-win32-x64')` aliased to native-sea-addon.ts, which calls
 * loadKoffiAddonFromSea(); outside nat.exe nothing here runs and koffi loads from node_modules.
 *
 * Where the file goes: beside nat.exe, in `nat-cni-native\koffi-<version>-<sha256[:16]>\koffi.node`.
 * A DLL loaded by a plugin that runs as SYSTEM must sit where only administrators can write; the
 * folder of nat.exe is such a place wherever a runtime keeps its CNI binaries (C:\Program Files\
 * containerd\cni\bin, C:\opt\cni\bin created by an administrator), and the subfolder inherits its
 * ACL. A shared temp folder would let another user plant a DLL there. Even so the file is never
 * trusted: its sha256 is checked before every load, and a missing or different file is replaced.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getRawAsset, isSea } from 'node:sea';

/** The SEA asset name of the addon, as in tools/exe/sea-config.json. */
export const KOFFI_ASSET = 'koffi.node';

/** Set by esbuild's --define when nat.exe is built (tools/exe/build.sh); absent everywhere else. */
declare const NAT_CNI_KOFFI_VERSION: string | undefined;
declare const NAT_CNI_KOFFI_SHA256: string | undefined;

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function addonFile(execPath: string, version: string, sha256: string, pathApi: path.PlatformPath = path): string {
  return pathApi.join(pathApi.dirname(execPath), 'nat-cni-native', `koffi-${version}-${sha256.slice(0, 16)}`, 'koffi.node');
}

function hashOfFile(file: string): string | undefined {
  try {
    return sha256Hex(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * Makes `file` hold exactly the bytes whose sha256 is `sha256` and returns it. An existing file is
 * used only if its hash matches; otherwise the bytes (read lazily: the asset is 1 MB) are checked
 * against the same hash and written to a temporary file that is renamed over it, so that a
 * concurrent plugin process never sees a half-written DLL.
 */
export function materializeAddon(file: string, sha256: string, bytes: () => Uint8Array): string {
  if (hashOfFile(file) === sha256) return file;
  const data = bytes();
  const got = sha256Hex(data);
  if (got !== sha256) throw new Error(`the embedded ${KOFFI_ASSET} is corrupt: sha256 ${got}, expected ${sha256}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    // Windows refuses to replace a DLL another process has loaded (EPERM/EBUSY); that process
    // loaded it only after it verified, so the file is good if it verifies now.
    if (hashOfFile(file) !== sha256) throw e;
  }
  if (hashOfFile(file) !== sha256) throw new Error(`${file} does not verify after it was written`);
  return file;
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
    if (!isSea() || !version || !sha256) throw new Error('not inside nat.exe (no SEA, or built without the addon pins)');
    const file = materializeAddon(addonFile(process.execPath, version, sha256), sha256, seaAsset);
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    return mod.exports;
  } catch (e) {
    // koffi swallows the exception of this require() and reports only "Cannot find the native
    // Koffi module", so the cause goes to stderr, which runtimes log with the plugin's failure.
    fs.writeSync(2, `nat-cni: cannot load koffi's native addon: ${e instanceof Error ? e.message : String(e)}\n`);
    throw e;
  }
}
