/**
 * The SEA loader's file handling (hns/ffi/native-sea.ts), on Linux: what nat.exe does before every
 * load of koffi's addon. The Wine test (nat-exe.test.ts) covers the same through the real exe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addonFile, materializeAddon, sha256Hex } from '../../hns/ffi/native-sea';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-sea-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = Buffer.from('pretend this is koffi.node \u0000\u0001\u0002');
const hash = sha256Hex(bytes);

describe('addonFile', () => {
  it('is beside the executable, named by version and hash (Windows paths)', () => {
    expect(addonFile('C:\\Program Files\\containerd\\cni\\bin\\nat.exe', '3.3.4', 'a77b6bb6f60cdd360a41', path.win32)).toBe(
      'C:\\Program Files\\containerd\\cni\\bin\\nat-cni-native\\koffi-3.3.4-a77b6bb6f60cdd36\\koffi.node',
    );
  });
});

describe('materializeAddon', () => {
  it('writes a missing file, then reuses it without reading the asset again', () => {
    const file = path.join(dir, 'sub', 'koffi.node');
    let reads = 0;
    const asset = () => {
      reads++;
      return bytes;
    };
    expect(materializeAddon(file, hash, asset)).toBe(file);
    expect(fs.readFileSync(file)).toEqual(bytes);
    materializeAddon(file, hash, asset);
    expect(reads).toBe(1);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['koffi.node']);
  });

  it('replaces a file whose hash differs (tampered, truncated)', () => {
    const file = path.join(dir, 'koffi.node');
    fs.writeFileSync(file, 'planted');
    materializeAddon(file, hash, () => bytes);
    expect(fs.readFileSync(file)).toEqual(bytes);
    fs.writeFileSync(file, bytes.subarray(0, 5));
    materializeAddon(file, hash, () => bytes);
    expect(sha256Hex(fs.readFileSync(file))).toBe(hash);
  });

  it('refuses an embedded asset that does not match its pinned hash, and writes nothing', () => {
    const file = path.join(dir, 'koffi.node');
    expect(() => materializeAddon(file, hash, () => Buffer.from('corrupt'))).toThrow(/corrupt: sha256/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
