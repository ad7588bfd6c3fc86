/**
 * The SEA loader's file handling (hns/ffi/native-sea.ts), on Linux: what nat.exe does before every
 * load of koffi's addon. The Wine test (nat-exe.test.ts) covers the same through the real exe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addonFolder,
  freshAddonName,
  prepareAddonFolder,
  removeStaleAddons,
  sha256Hex,
  writeFreshAddon,
} from '../../hns/ffi/native-sea';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-sea-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const bytes = Buffer.from('pretend this is koffi.node \u0000\u0001\u0002');
const hash = sha256Hex(bytes);

describe('where the addon goes', () => {
  it('is the nat-cni-native folder beside the executable (Windows paths)', () => {
    expect(addonFolder('C:\\Program Files\\containerd\\cni\\bin\\nat.exe', path.win32)).toBe(
      'C:\\Program Files\\containerd\\cni\\bin\\nat-cni-native',
    );
  });

  it('gets a new file name every time: version, hash, PID and random bits', () => {
    const a = freshAddonName('3.3.4', hash, 42);
    expect(a).toMatch(new RegExp(`^koffi-3\\.3\\.4-${hash.slice(0, 16)}-42-[0-9a-f]{16}\\.node$`));
    expect(freshAddonName('3.3.4', hash, 42)).not.toBe(a);
  });
});

describe('prepareAddonFolder', () => {
  it('creates a missing folder (owner-only off Windows) and accepts an existing one', () => {
    const d = path.join(dir, 'nat-cni-native');
    prepareAddonFolder(d);
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    prepareAddonFolder(d);
  });

  it('refuses a symbolic link (as Node reports a junction on Windows) and a file', () => {
    const real = path.join(dir, 'elsewhere');
    fs.mkdirSync(real);
    const link = path.join(dir, 'nat-cni-native');
    fs.symlinkSync(real, link);
    expect(() => prepareAddonFolder(link)).toThrow(/junction or symbolic link/);
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(() => prepareAddonFolder(file)).toThrow(/not a folder/);
  });
});

describe('writeFreshAddon', () => {
  it('writes the verified bytes to a new file and never touches an existing one', () => {
    const planted = path.join(dir, freshAddonName('3.3.4', hash));
    fs.writeFileSync(planted, 'planted');
    const file = writeFreshAddon(dir, '3.3.4', hash, bytes);
    expect(file).not.toBe(planted);
    expect(path.dirname(file)).toBe(dir);
    expect(fs.readFileSync(file)).toEqual(bytes);
    expect(fs.readFileSync(planted, 'utf8')).toBe('planted');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses an embedded asset that does not match its pinned hash, and writes nothing', () => {
    expect(() => writeFreshAddon(dir, '3.3.4', hash, Buffer.from('corrupt'))).toThrow(/corrupt: sha256/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('removeStaleAddons', () => {
  it("removes earlier invocations' files, keeps the one just loaded and anything else", () => {
    const old = writeFreshAddon(dir, '3.3.4', hash, bytes);
    const mine = writeFreshAddon(dir, '3.3.4', hash, bytes);
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    fs.mkdirSync(path.join(dir, 'koffi-3.3.4-0123456789abcdef'));
    removeStaleAddons(dir, mine);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [path.basename(mine), 'koffi-3.3.4-0123456789abcdef', 'notes.txt'].sort(),
    );
    expect(fs.existsSync(old)).toBe(false);
  });
});
