/**
 * The Win32 security calls the plugin makes through koffi (advapi32, kernel32): the System32
 * folder as the OS reports it, folders created with an explicit protected DACL, the owner and DACL
 * of an existing folder or kernel object as SDDL, and the named mutex created with its own
 * descriptor. The decisions on those descriptors are pure functions in ./sddl.ts.
 *
 * Windows only (nothing here is called elsewhere). koffi is required inside the functions, as in
 * ./library.ts, so that a process that never needs them never loads it.
 */
import type * as KoffiModule from 'koffi';
import { FOLDER_SDDL, MUTEX_SDDL, folderAction, judgeMutex, parseSddl } from './sddl';

/** A folder or kernel object we must not trust, with the reason; the plugin answers code 105. */
export class UntrustedObjectError extends Error {
  override readonly name = 'UntrustedObjectError';
}

type Fn = (...args: unknown[]) => unknown;
interface Win32 {
  koffi: typeof KoffiModule;
  GetSystemDirectoryW: Fn;
  GetFileAttributesW: Fn;
  CreateDirectoryW: Fn;
  CreateMutexW: Fn;
  GetLastError: Fn;
  LocalFree: Fn;
  ConvertStringSecurityDescriptorToSecurityDescriptorW: Fn;
  ConvertSecurityDescriptorToStringSecurityDescriptorW: Fn;
  GetNamedSecurityInfoW: Fn;
  GetSecurityInfo: Fn;
  GetSecurityDescriptorDacl: Fn;
  SetNamedSecurityInfoW: Fn;
  GetCurrentProcess: Fn;
  OpenProcessToken: Fn;
  GetTokenInformation: Fn;
  ConvertSidToStringSidW: Fn;
  CloseHandle: Fn;
}

let win32: Win32 | undefined;

function api(): Win32 {
  if (win32) return win32;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi only on Windows
  const koffi = require('koffi') as typeof KoffiModule;
  const k32 = koffi.load('kernel32.dll');
  const adv = koffi.load('advapi32.dll');
  // Plain C types only: koffi's type names are process-global and the HCN binding has its own.
  koffi.struct('NatCniSecurityAttributes', {
    nLength: 'uint32_t',
    lpSecurityDescriptor: 'void *',
    bInheritHandle: 'int',
  });
  win32 = {
    koffi,
    GetSystemDirectoryW: k32.func('uint32_t __stdcall GetSystemDirectoryW(_Out_ char16_t *buf, uint32_t size)'),
    GetFileAttributesW: k32.func('uint32_t __stdcall GetFileAttributesW(const char16_t *path)'),
    CreateDirectoryW: k32.func(
      'int __stdcall CreateDirectoryW(const char16_t *path, const NatCniSecurityAttributes *sa)',
    ),
    CreateMutexW: k32.func(
      'void * __stdcall CreateMutexW(const NatCniSecurityAttributes *sa, int initialOwner, const char16_t *name)',
    ),
    GetLastError: k32.func('uint32_t __stdcall GetLastError()'),
    LocalFree: k32.func('void * __stdcall LocalFree(void *p)'),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: adv.func(
      'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, _Out_ void **sd, _Out_ uint32_t *size)',
    ),
    ConvertSecurityDescriptorToStringSecurityDescriptorW: adv.func(
      'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *sd, uint32_t revision, uint32_t info, _Out_ void **sddl, _Out_ uint32_t *len)',
    ),
    GetNamedSecurityInfoW: adv.func(
      'uint32_t __stdcall GetNamedSecurityInfoW(const char16_t *name, int type, uint32_t info, _Out_ void **owner, _Out_ void **group, _Out_ void **dacl, _Out_ void **sacl, _Out_ void **sd)',
    ),
    GetSecurityInfo: adv.func(
      'uint32_t __stdcall GetSecurityInfo(void *handle, int type, uint32_t info, _Out_ void **owner, _Out_ void **group, _Out_ void **dacl, _Out_ void **sacl, _Out_ void **sd)',
    ),
    GetSecurityDescriptorDacl: adv.func(
      'int __stdcall GetSecurityDescriptorDacl(void *sd, _Out_ int *present, _Out_ void **dacl, _Out_ int *defaulted)',
    ),
    SetNamedSecurityInfoW: adv.func(
      'uint32_t __stdcall SetNamedSecurityInfoW(const char16_t *name, int type, uint32_t info, void *owner, void *group, void *dacl, void *sacl)',
    ),
    GetCurrentProcess: k32.func('void * __stdcall GetCurrentProcess()'),
    OpenProcessToken: adv.func('int __stdcall OpenProcessToken(void *process, uint32_t access, _Out_ void **token)'),
    GetTokenInformation: adv.func(
      'int __stdcall GetTokenInformation(void *token, int cls, void *buf, uint32_t len, _Out_ uint32_t *needed)',
    ),
    ConvertSidToStringSidW: adv.func('int __stdcall ConvertSidToStringSidW(void *sid, _Out_ void **str)'),
    CloseHandle: k32.func('int __stdcall CloseHandle(void *h)'),
  };
  return win32;
}

let selfSid: string | undefined;

/** The SID of the account this process runs as (TokenUser of its token), as S-1-…. */
export function processUserSid(): string {
  if (selfSid) return selfSid;
  const w = api();
  const TOKEN_QUERY = 0x8;
  const TOKEN_USER = 1;
  const token: unknown[] = [null];
  if (!w.OpenProcessToken(w.GetCurrentProcess(), TOKEN_QUERY, token))
    throw new Error(`OpenProcessToken failed (error ${w.GetLastError() as number})`);
  try {
    const buf = Buffer.alloc(256);
    if (!w.GetTokenInformation(token[0], TOKEN_USER, buf, buf.length, [0])) {
      throw new Error(`GetTokenInformation(TokenUser) failed (error ${w.GetLastError() as number})`);
    }
    // TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first member is the PSID, pointing into buf
    // itself (koffi passes a Buffer given as `void *` by its address, without a copy).
    const out: unknown[] = [null];
    if (!w.ConvertSidToStringSidW(buf.readBigUInt64LE(0), out))
      throw new Error(`ConvertSidToStringSidW failed (error ${w.GetLastError() as number})`);
    try {
      selfSid = w.koffi.decode(out[0], 'char16_t', -1) as string;
    } finally {
      w.LocalFree(out[0]);
    }
    return selfSid;
  } finally {
    w.CloseHandle(token[0]);
  }
}

const SDDL_REVISION_1 = 1;
const OWNER_SECURITY_INFORMATION = 0x1;
const DACL_SECURITY_INFORMATION = 0x4;
const PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
const SE_FILE_OBJECT = 1;
const SE_KERNEL_OBJECT = 6;
const FILE_ATTRIBUTE_DIRECTORY = 0x10;
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
const INVALID_FILE_ATTRIBUTES = 0xffffffff;
const ERROR_ACCESS_DENIED = 5;

const isNull = (p: unknown): boolean => p === null || p === 0n;

/** `GetSystemDirectoryW`: where the OS's own DLLs are, whatever %SystemRoot% says. */
export function systemDirectory(): string {
  const w = api();
  const buf = Buffer.alloc(2 * 1024);
  const n = w.GetSystemDirectoryW(buf, 1024) as number;
  if (n === 0 || n >= 1024) throw new Error(`GetSystemDirectoryW failed (error ${w.GetLastError() as number})`);
  return buf.toString('utf16le', 0, 2 * n);
}

/** A security descriptor built from SDDL, freed after `use`. */
function withDescriptor<T>(sddl: string, use: (sd: unknown) => T): T {
  const w = api();
  const sd: unknown[] = [null];
  if (!w.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, [0])) {
    throw new Error(
      `ConvertStringSecurityDescriptorToSecurityDescriptorW(${sddl}) failed (error ${w.GetLastError() as number})`,
    );
  }
  try {
    return use(sd[0]);
  } finally {
    w.LocalFree(sd[0]);
  }
}

function toSddl(sd: unknown): string {
  const w = api();
  const out: unknown[] = [null];
  if (
    !w.ConvertSecurityDescriptorToStringSecurityDescriptorW(
      sd,
      SDDL_REVISION_1,
      OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
      out,
      [0],
    )
  ) {
    throw new Error(
      `ConvertSecurityDescriptorToStringSecurityDescriptorW failed (error ${w.GetLastError() as number})`,
    );
  }
  try {
    return w.koffi.decode(out[0], 'char16_t', -1) as string;
  } finally {
    w.LocalFree(out[0]);
  }
}

function querySddl(get: (sd: unknown[]) => number, what: string): string {
  const w = api();
  const sd: unknown[] = [null];
  const err = get(sd);
  if (err !== 0 || isNull(sd[0])) throw new Error(`cannot read the security of ${what} (error ${err})`);
  try {
    return toSddl(sd[0]);
  } finally {
    w.LocalFree(sd[0]);
  }
}

/** The owner and DACL of a file or folder, as SDDL. */
export function fileSddl(path: string): string {
  const w = api();
  const info = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  return querySddl(
    (sd) => w.GetNamedSecurityInfoW(path, SE_FILE_OBJECT, info, [null], [null], [null], [null], sd) as number,
    path,
  );
}

/** The owner and DACL of a kernel object (our mutex), as SDDL. */
export function handleSddl(handle: unknown, what: string): string {
  const w = api();
  const info = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  return querySddl(
    (sd) => w.GetSecurityInfo(handle, SE_KERNEL_OBJECT, info, [null], [null], [null], [null], sd) as number,
    what,
  );
}

/** undefined when the path does not exist. */
function attributes(path: string): number | undefined {
  const a = api().GetFileAttributesW(path) as number;
  return a === INVALID_FILE_ATTRIBUTES ? undefined : a;
}

/** Replace the folder's DACL by `sddl`'s, protected (inherited entries dropped). */
function protect(path: string, sddl: string): void {
  const w = api();
  withDescriptor(sddl, (sd) => {
    const present = [0];
    const dacl: unknown[] = [null];
    if (!w.GetSecurityDescriptorDacl(sd, present, dacl, [0]) || !present[0]) throw new Error(`no DACL in ${sddl}`);
    const err = w.SetNamedSecurityInfoW(
      path,
      SE_FILE_OBJECT,
      DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      null,
      null,
      dacl[0],
      null,
    ) as number;
    if (err !== 0) throw new UntrustedObjectError(`cannot set the protected DACL of ${path} (error ${err})`);
  });
}

/**
 * Make `path` a folder only SYSTEM and Administrators can change: created with FOLDER_SDDL if
 * missing; an existing one is checked (owner, DACL, not a reparse point) and either kept, given
 * our protected DACL when it is ours but open to others, or refused.
 */
export function ensureProtectedFolder(path: string): void {
  const w = api();
  let attrs = attributes(path);
  if (attrs === undefined) {
    const created = withDescriptor(FOLDER_SDDL, (sd) =>
      w.CreateDirectoryW(path, { nLength: 24, lpSecurityDescriptor: sd, bInheritHandle: 0 }),
    );
    const error = created ? 0 : (w.GetLastError() as number);
    attrs = attributes(path);
    // Lost a race with another plugin process (or someone else): what is there is judged below.
    if (attrs === undefined) throw new UntrustedObjectError(`cannot create the folder ${path} (error ${error})`);
  }
  if (attrs === undefined || (attrs & FILE_ATTRIBUTE_DIRECTORY) === 0)
    throw new UntrustedObjectError(`${path} is not a folder`);
  const decision = folderAction(
    parseSddl(fileSddl(path)),
    path,
    (attrs & FILE_ATTRIBUTE_REPARSE_POINT) !== 0,
    processUserSid(),
  );
  if (decision.action === 'refuse')
    throw new UntrustedObjectError(`${decision.why}; remove it (an administrator) so that nat-cni can create it`);
  if (decision.action === 'protect') {
    protect(path, FOLDER_SDDL);
    const after = folderAction(parseSddl(fileSddl(path)), path, false, processUserSid());
    if (after.action !== 'ok')
      throw new UntrustedObjectError(`${path}: still untrusted after setting its DACL: ${after.why}`);
  }
}

/** What ensureProtectedFolder would do with an existing folder, without changing it (doctor). */
export function existingFolderAction(path: string): ReturnType<typeof folderAction> {
  const attrs = attributes(path);
  if (attrs === undefined || (attrs & FILE_ATTRIBUTE_DIRECTORY) === 0) throw new Error(`${path} is not a folder`);
  return folderAction(parseSddl(fileSddl(path)), path, (attrs & FILE_ATTRIBUTE_REPARSE_POINT) !== 0, processUserSid());
}

/**
 * The named mutex with MUTEX_SDDL. When the name exists already, CreateMutexW opens that object,
 * whose descriptor is whoever created it chose: we use it only if its owner is SYSTEM or the
 * Administrators and nobody else may hold or change it. Never waits: a squatted name fails now.
 */
export function createTrustedMutex(name: string): unknown {
  const w = api();
  const handle = withDescriptor(MUTEX_SDDL, (sd) =>
    w.CreateMutexW({ nLength: 24, lpSecurityDescriptor: sd, bInheritHandle: 0 }, 0, name),
  );
  if (isNull(handle)) {
    const err = w.GetLastError() as number;
    if (err === ERROR_ACCESS_DENIED) {
      throw new UntrustedObjectError(
        `the mutex ${name} exists and its security descriptor denies us access: another account created it first`,
      );
    }
    throw new Error(`CreateMutexW(${name}) failed with error ${err}`);
  }
  try {
    const verdict = judgeMutex(parseSddl(handleSddl(handle, `the mutex ${name}`)), name, processUserSid());
    if (!verdict.ok) throw new UntrustedObjectError(verdict.why);
  } catch (e) {
    closeHandle(handle);
    throw e;
  }
  return handle;
}

let closer: Fn | undefined;
export function closeHandle(handle: unknown): void {
  closer ??= api().koffi.load('kernel32.dll').func('int __stdcall CloseHandle(void *h)');
  closer(handle);
}
