/** This executable as a file: nat.exe itself inside the SEA, or the dist/nat script under Node. */
import crypto from 'node:crypto';
import fs from 'node:fs';

function isSea(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sea exists only in Node 20+ builds that have it
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

/** The file install copies: process.execPath for nat.exe, the script for dist/nat. */
export function selfPath(): string {
  if (isSea()) return process.execPath;
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot tell which file this program is');
  return fs.realpathSync(script);
}

/** The plugin's file name in a CNI bin folder: runtimes look up `<type>.exe` on Windows, `<type>` elsewhere. */
export const pluginFileName = (platform: NodeJS.Platform): string => (platform === 'win32' ? 'nat.exe' : 'nat');

export const sha256 = (data: Uint8Array): string => crypto.createHash('sha256').update(data).digest('hex');

export function fileHash(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
