/**
 * Security descriptors as SDDL strings, and the decisions the plugin takes on them: which
 * descriptors it creates, and whether an existing folder or mutex may be trusted. Pure functions,
 * so that each decision is unit-tested on exact descriptors; hns/ffi/security.ts does the Win32
 * calls (ConvertSecurityDescriptorToStringSecurityDescriptorW gives the strings judged here).
 *
 * Syntax: learn.microsoft.com "Security Descriptor String Format", "ACE Strings", "SID Strings".
 */

/**
 * Owned by the built-in Administrators group (a SYSTEM or elevated token may name it: the group is
 * in the token with SE_GROUP_OWNER; a plain user's create then fails, which is right), SYSTEM and
 * Administrators full control, nothing inherited ("P").
 */
export const FOLDER_SDDL = 'O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)';
/** The same for the network mutex (GA: every mutex right). */
export const MUTEX_SDDL = 'O:BAD:P(A;;GA;;;SY)(A;;GA;;;BA)';

export interface Ace {
  /** A (allow), D (deny), or another ACE type letter pair (OA, AU, ...). */
  type: string;
  /** Inheritance flags as letters: OI, CI, NP, IO, ID. */
  flags: string[];
  rights: number;
  /** The trustee, with well-known abbreviations expanded to their S-1-… form. */
  sid: string;
}

export interface Sddl {
  owner?: string;
  group?: string;
  /** undefined: no DACL at all (a NULL DACL grants everyone everything). */
  dacl?: { protected: boolean; aces: Ace[] };
}

/** The abbreviations Windows prints for the SIDs that matter here (others pass through as given). */
const SID_ALIASES: Record<string, string> = {
  SY: 'S-1-5-18',
  BA: 'S-1-5-32-544',
  BU: 'S-1-5-32-545',
  AU: 'S-1-5-11',
  WD: 'S-1-1-0',
  CO: 'S-1-3-0',
  CG: 'S-1-3-1',
  OW: 'S-1-3-4',
  LS: 'S-1-5-19',
  NS: 'S-1-5-20',
  IU: 'S-1-5-4',
  SU: 'S-1-5-6',
  AN: 'S-1-5-7',
  BG: 'S-1-5-32-546',
  PU: 'S-1-5-32-547',
  BO: 'S-1-5-32-551',
  SO: 'S-1-5-32-549',
  AC: 'S-1-15-2-1',
};

export const SYSTEM_SID = 'S-1-5-18';
export const ADMINISTRATORS_SID = 'S-1-5-32-544';
/** NT SERVICE\TrustedInstaller, owner of the OS's own folders (Program Files, System32). */
export const TRUSTED_INSTALLER_SID = 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464';
const CREATOR_OWNER_SID = 'S-1-3-0';

/**
 * Principals that may own or write what we load and lock: the OS, the administrators, and the
 * account this process runs as (`self`; SYSTEM under containerd), which can do all we can anyway.
 */
const TRUSTED = new Set([SYSTEM_SID, ADMINISTRATORS_SID, TRUSTED_INSTALLER_SID]);
const trusted = (sidValue: string, self: string | undefined): boolean => TRUSTED.has(sidValue) || sidValue === self;

const RIGHT_LETTERS: Record<string, number> = {
  GA: 0x10000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GX: 0x20000000,
  RC: 0x00020000,
  SD: 0x00010000,
  WD: 0x00040000,
  WO: 0x00080000,
  RP: 0x10,
  WP: 0x20,
  CC: 0x1,
  DC: 0x2,
  LC: 0x4,
  SW: 0x8,
  LO: 0x80,
  DT: 0x40,
  CR: 0x100,
  FA: 0x1f01ff,
  FR: 0x120089,
  FW: 0x120116,
  FX: 0x1200a0,
  KA: 0xf003f,
  KR: 0x20019,
  KW: 0x20006,
  KX: 0x20019,
};

/**
 * Rights that let a principal change a folder's contents or its protection: generic write/all,
 * WRITE_DAC, WRITE_OWNER, DELETE, and the file-specific add file, add subfolder, write extended
 * attributes, delete child and write attributes.
 */
export const FOLDER_WRITE_RIGHTS =
  0x10000000 | 0x40000000 | 0x40000 | 0x80000 | 0x10000 | 0x2 | 0x4 | 0x10 | 0x40 | 0x100;
/**
 * Rights that let a principal hold or tamper with a mutex: generic all/write/execute (GX maps to
 * SYNCHRONIZE), MUTEX_MODIFY_STATE, SYNCHRONIZE (enough to wait on it, i.e. to own it), WRITE_DAC,
 * WRITE_OWNER, DELETE.
 */
export const MUTEX_HOLD_RIGHTS = 0x10000000 | 0x40000000 | 0x20000000 | 0x1 | 0x100000 | 0x40000 | 0x80000 | 0x10000;

const sid = (s: string): string => SID_ALIASES[s] ?? s.toUpperCase();

function parseRights(s: string): number {
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^[0-9]+$/.test(s)) return Number(s);
  let mask = 0;
  for (let i = 0; i < s.length; i += 2) {
    const bits = RIGHT_LETTERS[s.slice(i, i + 2)];
    if (bits === undefined) throw new Error(`unknown access right "${s.slice(i, i + 2)}" in "${s}"`);
    mask |= bits;
  }
  return mask >>> 0;
}

function parseAce(body: string): Ace {
  // type;flags;rights;object guid;inherit object guid;account sid[;resource attribute]
  const parts = body.split(';');
  if (parts.length < 6) throw new Error(`not an ACE: (${body})`);
  const [type = '', flags = '', rights = '', , , trustee = ''] = parts;
  return { type, flags: flags.match(/../g) ?? [], rights: parseRights(rights), sid: sid(trustee) };
}

/** Parses the SDDL that Windows prints (owner, group and DACL parts; a SACL part is ignored). */
export function parseSddl(text: string): Sddl {
  const out: Sddl = {};
  const re = /([OGDS]):((?:\([^)]*\)|[^:()])*?)(?=[OGDS]:|$)/g;
  let m: RegExpExecArray | null;
  let seen = 0;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') break;
    seen += m[0].length;
    const [, part, value = ''] = m;
    if (part === 'O') out.owner = sid(value);
    else if (part === 'G') out.group = sid(value);
    else if (part === 'D') {
      if (value === 'NO_ACCESS_CONTROL') continue; // a NULL DACL: same as none
      const flags = /^[A-Z_]*/.exec(value)?.[0] ?? '';
      const aces = [...value.slice(flags.length).matchAll(/\(([^)]*)\)/g)].map((a) => parseAce(a[1] ?? ''));
      out.dacl = { protected: /P/.test(flags.replace(/AI|AR/g, '')), aces };
    }
  }
  if (seen !== text.length) throw new Error(`not a security descriptor string: ${text}`);
  return out;
}

export type Verdict = { ok: true } | { ok: false; why: string };

const isAllow = (a: Ace): boolean => a.type === 'A' || a.type === 'OA';
const inheritOnly = (a: Ace): boolean => a.flags.includes('IO');

/** `children`: inherit-only entries count too (a folder's decide who may change the files we create in it). */
function judge(
  sd: Sddl,
  what: string,
  rights: number,
  children: boolean,
  self: string | undefined,
  lets: string,
): Verdict {
  if (sd.owner === undefined) return { ok: false, why: `${what} has no owner` };
  if (!trusted(sd.owner, self))
    return {
      ok: false,
      why: `${what} is owned by ${sd.owner}, not by SYSTEM, Administrators or ${self ?? 'this account'}`,
    };
  if (!sd.dacl) return { ok: false, why: `${what} has no DACL: everyone has full access` };
  for (const ace of sd.dacl.aces) {
    if (!isAllow(ace) || (ace.rights & rights) === 0 || trusted(ace.sid, self)) continue;
    // CREATOR OWNER applied to children only: the creator of a child is someone who may write
    // here, which the other entries already restrict to trusted principals.
    if (ace.sid === CREATOR_OWNER_SID && inheritOnly(ace)) continue;
    if (inheritOnly(ace) && !children) continue;
    const hex = `0x${(ace.rights >>> 0).toString(16)}`;
    return { ok: false, why: `${what} grants ${ace.sid} access ${hex}, which lets it ${lets}` };
  }
  return { ok: true };
}

/** May we load code from, or write our state into, a folder with this descriptor? */
export const judgeFolder = (sd: Sddl, folder: string, self?: string): Verdict =>
  judge(sd, `the folder ${folder}`, FOLDER_WRITE_RIGHTS, true, self, 'change its contents or its protection');

/** May we take, as our network lock, an existing mutex with this descriptor? */
export const judgeMutex = (sd: Sddl, name: string, self?: string): Verdict =>
  judge(sd, `the mutex ${name}`, MUTEX_HOLD_RIGHTS, false, self, 'hold the lock or change its protection');

/**
 * What to do with a folder we want to use: `ok`, `protect` (ours but its DACL lets others in, e.g.
 * inherited from a parent that grants Users write: set our protected DACL), or `refuse` (owned by
 * someone else, or a reparse point: we cannot know where it leads).
 */
export function folderAction(
  sd: Sddl,
  folder: string,
  reparsePoint: boolean,
  self?: string,
): { action: 'ok' } | { action: 'protect' | 'refuse'; why: string } {
  if (reparsePoint)
    return { action: 'refuse', why: `the folder ${folder} is a reparse point (junction or symbolic link)` };
  const verdict = judgeFolder(sd, folder, self);
  if (verdict.ok) return { action: 'ok' };
  if (sd.owner !== undefined && trusted(sd.owner, self)) return { action: 'protect', why: verdict.why };
  return { action: 'refuse', why: verdict.why };
}
