/**
 * The security decisions on exact descriptors, as Windows prints them
 * (ConvertSecurityDescriptorToStringSecurityDescriptorW): what we create, what we accept, what we
 * rebuild and what we refuse. The Win32 calls around them are in hns/ffi/security.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  FOLDER_SDDL,
  MUTEX_SDDL,
  SYSTEM_SID,
  folderAction,
  judgeFolder,
  judgeMutex,
  parseSddl,
} from '../../../hns/ffi/sddl';

describe('parseSddl', () => {
  it('reads owner, group, DACL flags and ACEs, with well-known SIDs expanded', () => {
    const sd = parseSddl(
      'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICIIO;GA;;;CO)(A;;0x1200a9;;;BU)(D;;FW;;;S-1-5-21-1-2-3-1001)',
    );
    expect(sd.owner).toBe(ADMINISTRATORS_SID);
    expect(sd.group).toBe(SYSTEM_SID);
    expect(sd.dacl?.protected).toBe(true);
    expect(sd.dacl?.aces).toEqual([
      { type: 'A', flags: ['OI', 'CI'], rights: 0x1f01ff, sid: 'S-1-5-18' },
      { type: 'A', flags: ['OI', 'CI', 'IO'], rights: 0x10000000, sid: 'S-1-3-0' },
      { type: 'A', flags: [], rights: 0x1200a9, sid: 'S-1-5-32-545' },
      { type: 'D', flags: [], rights: 0x120116, sid: 'S-1-5-21-1-2-3-1001' },
    ]);
  });

  it('tells a missing DACL (everyone has full access) from an empty one (nobody has any)', () => {
    expect(parseSddl('O:SY').dacl).toBeUndefined();
    expect(parseSddl('O:SYD:NO_ACCESS_CONTROL').dacl).toBeUndefined();
    expect(parseSddl('O:SYD:P').dacl).toEqual({ protected: true, aces: [] });
    expect(parseSddl('O:SYD:AI(A;ID;FA;;;SY)').dacl?.protected).toBe(false);
  });

  it('refuses what is not SDDL', () => {
    expect(() => parseSddl('hello')).toThrow(/not a security descriptor/);
    expect(() => parseSddl('D:(A;;ZZ;;;SY)')).toThrow(/unknown access right/);
  });
});

describe('what we create', () => {
  it('folders: owned by Administrators, SYSTEM and Administrators full control, inherited by children, protected', () => {
    expect(FOLDER_SDDL).toBe('O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)');
    expect(judgeFolder(parseSddl(FOLDER_SDDL), 'f')).toEqual({ ok: true });
    // Our own account (the process's token user) is as trusted as SYSTEM: it is who we are.
    expect(
      judgeFolder(parseSddl('O:S-1-5-21-0-0-0-1000D:(A;;FA;;;S-1-5-21-0-0-0-1000)'), 'f', 'S-1-5-21-0-0-0-1000'),
    ).toEqual({ ok: true });
    expect(judgeFolder(parseSddl('O:S-1-5-21-0-0-0-1000D:(A;;FA;;;S-1-5-21-0-0-0-1000)'), 'f').ok).toBe(false);
  });

  it('the mutex: SYSTEM and Administrators every right, nobody else any', () => {
    expect(MUTEX_SDDL).toBe('O:BAD:P(A;;GA;;;SY)(A;;GA;;;BA)');
    expect(judgeMutex(parseSddl(MUTEX_SDDL), 'm')).toEqual({ ok: true });
    // Windows maps generic rights when it stores them: 0x1f0001 is MUTEX_ALL_ACCESS.
    expect(judgeMutex(parseSddl('O:SYD:P(A;;0x1f0001;;;SY)(A;;0x1f0001;;;BA)'), 'm')).toEqual({ ok: true });
  });
});

describe('judgeFolder', () => {
  // A folder created under C:\ by an administrator (Kubernetes' scripts use C:\opt\cni\bin): the
  // drive root's inheritable Modify for Authenticated Users arrives as inherited entries.
  const UNDER_C =
    'O:BAD:AI(A;ID;FA;;;BA)(A;OICIIOID;GA;;;BA)(A;ID;FA;;;SY)(A;OICIIOID;GA;;;SY)(A;ID;0x1200a9;;;BU)(A;OICIIOID;GXGR;;;BU)(A;ID;0x1301bf;;;AU)(A;OICIIOID;SDGXGWGR;;;AU)';
  // C:\ProgramData\nat-cni created by a process that did not set a DACL: Users may add files.
  const PROGRAMDATA = 'O:SYD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)';
  // C:\Program Files\containerd\cni\bin: TrustedInstaller, SYSTEM, Administrators write; Users read.
  const PROGRAM_FILES =
    'O:BAD:AI(A;OICIID;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;AC)';

  it('accepts an admin-only folder that users may read', () => {
    expect(judgeFolder(parseSddl(PROGRAM_FILES), 'bin')).toEqual({ ok: true });
  });

  it('refuses Modify for Authenticated Users, naming the SID and the rights', () => {
    const v = judgeFolder(parseSddl(UNDER_C), 'C:\\opt\\cni\\bin');
    expect(v.ok).toBe(false);
    expect(!v.ok && v.why).toMatch(/C:\\opt\\cni\\bin grants S-1-5-11 access 0x1301bf/);
  });

  it('refuses a folder Users may add files or folders to (ProgramData)', () => {
    expect(judgeFolder(parseSddl(PROGRAMDATA), 'pd')).toMatchObject({
      ok: false,
      why: expect.stringContaining('S-1-5-32-545'),
    });
  });

  it('counts inherit-only entries: they decide who may change the files we create there', () => {
    expect(judgeFolder(parseSddl('O:SYD:P(A;;FA;;;SY)(A;OICIIO;FA;;;AU)'), 'f').ok).toBe(false);
    // ... except CREATOR OWNER, which only gives a creator (already trusted here) its own files.
    expect(judgeFolder(parseSddl('O:SYD:P(A;;FA;;;SY)(A;OICIIO;GA;;;CO)'), 'f').ok).toBe(true);
  });

  it('refuses a foreign owner, no owner, and a NULL DACL; ignores deny entries', () => {
    expect(judgeFolder(parseSddl('O:S-1-5-21-1-2-3-1001D:P(A;;FA;;;SY)'), 'f')).toMatchObject({
      ok: false,
      why: expect.stringContaining('owned by S-1-5-21-1-2-3-1001'),
    });
    expect(judgeFolder(parseSddl('D:P(A;;FA;;;SY)'), 'f')).toMatchObject({
      ok: false,
      why: expect.stringContaining('no owner'),
    });
    expect(judgeFolder(parseSddl('O:SY'), 'f')).toMatchObject({ ok: false, why: expect.stringContaining('no DACL') });
    expect(judgeFolder(parseSddl('O:SYD:P(A;;FA;;;SY)(D;;FA;;;WD)'), 'f')).toEqual({ ok: true });
  });

  it('refuses each single write right given to Everyone', () => {
    for (const right of ['0x2', '0x4', '0x10', '0x40', '0x100', 'SD', 'WD', 'WO', 'GW', 'GA']) {
      expect(judgeFolder(parseSddl(`O:SYD:P(A;;FA;;;SY)(A;;${right};;;WD)`), 'f').ok, right).toBe(false);
    }
    expect(judgeFolder(parseSddl('O:SYD:P(A;;FA;;;SY)(A;;FR;;;WD)(A;;FX;;;WD)'), 'f').ok).toBe(true);
  });
});

describe('folderAction', () => {
  it('keeps a good folder, protects ours when open to others, refuses foreign ones and reparse points', () => {
    expect(folderAction(parseSddl(`O:SY${FOLDER_SDDL}`), 'f', false)).toEqual({ action: 'ok' });
    expect(folderAction(parseSddl('O:SYD:AI(A;OICIID;FA;;;SY)(A;CIID;DCLCRPCR;;;BU)'), 'f', false).action).toBe(
      'protect',
    );
    expect(folderAction(parseSddl('O:S-1-5-21-9-9-9-1001D:P(A;;FA;;;SY)'), 'f', false).action).toBe('refuse');
    expect(folderAction(parseSddl(`O:SY${FOLDER_SDDL}`), 'f', true)).toMatchObject({
      action: 'refuse',
      why: expect.stringContaining('reparse point'),
    });
  });
});

describe('judgeMutex', () => {
  it('refuses a mutex another account created first, whatever its DACL', () => {
    const squat = 'O:S-1-5-21-1-2-3-1001D:(A;;0x1f0001;;;S-1-5-21-1-2-3-1001)(A;;0x1f0001;;;SY)(A;;0x1f0001;;;BA)';
    expect(judgeMutex(parseSddl(squat), 'Global\\nat-cni-x')).toMatchObject({
      ok: false,
      why: expect.stringContaining('owned by S-1-5-21-1-2-3-1001'),
    });
  });

  it('refuses an admin-owned mutex that lets others wait on it (SYNCHRONIZE is enough to hold it)', () => {
    expect(judgeMutex(parseSddl('O:BAD:(A;;0x1f0001;;;BA)(A;;0x100000;;;WD)'), 'm').ok).toBe(false);
    expect(judgeMutex(parseSddl('O:BAD:(A;;0x1f0001;;;BA)(A;;GX;;;IU)'), 'm').ok).toBe(false);
    // Reading its security is harmless.
    expect(judgeMutex(parseSddl('O:BAD:(A;;0x1f0001;;;BA)(A;;RC;;;WD)'), 'm').ok).toBe(true);
  });

  it('accepts the default DACL of a SYSTEM token (an older nat-cni created the mutex without one)', () => {
    expect(judgeMutex(parseSddl('O:SYD:(A;;0x1f0001;;;SY)(A;;0x120000;;;BA)'), 'm').ok).toBe(true);
  });
});
