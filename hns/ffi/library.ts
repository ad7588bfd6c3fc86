/**
 * Loads computenetwork.dll (or a library with the same exports, such as the fake one) through koffi
 * and declares the exports HcnApi needs, following hcsshim's hcn/zsyscall_windows.go
 * signatures: HRESULT as int32_t (C `long` is 8 bytes on LP64 Linux), GUID as a 16-byte struct, strings in as
 * UTF-16, out-strings as raw pointers so that the caller can decode and then free them itself.
 * Only the exports HcnApi uses are declared, so an older Windows without e.g. HcnQueryEndpointStats
 * still loads.
 */
import path from 'node:path';
import { HnsError, errorRecordJson } from '../errors';
import type { GuidStruct } from './guid-struct';
import { systemDirectory } from './security';
import type * as KoffiModule from 'koffi';

/** Win32 errors LoadLibrary / GetProcAddress would give, as HRESULTs. */
const HR_MOD_NOT_FOUND = 0x8007007e;
const HR_PROC_NOT_FOUND = 0x8007007f;

type Koffi = typeof KoffiModule;
let koffiModule: Koffi | undefined;

/**
 * koffi, loaded on first use: it costs about 55 ms at startup, which the simulator backend
 * should not pay, and a bundle whose koffi cannot find its native addon must
 * still run on the simulator. A CommonJS require() on purpose, as `import koffi = require('koffi')`
 * would be: with `import koffi from 'koffi'` esbuild picks koffi's ESM build, whose
 * createRequire(import.meta.url) becomes createRequire(undefined) in our CJS bundles. esbuild
 * bundles a require() inside a function like a top-level one, and vitest runs it (test/hns/ffi).
 */
function koffi(): Koffi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi loads a native addon: only when HNS is first called
    koffiModule ??= require('koffi') as Koffi;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new HnsError('LoadLibrary', HR_MOD_NOT_FOUND, errorRecordJson(HR_MOD_NOT_FOUND, `koffi: ${msg}`));
  }
  return koffiModule;
}

/** A pointer as koffi 3 hands it out: a BigInt, or null for NULL. */
export type RawPointer = bigint | null;
/** An out-parameter: koffi writes the pointer into element 0. */
export type OutPointer = [RawPointer];

type Hr = number;
type WStr = string | null;

export interface HcnFamilyFunctions {
  enumerate(query: WStr, result: OutPointer, errorRecord: OutPointer): Hr;
  open(id: GuidStruct, handle: OutPointer, errorRecord: OutPointer): Hr;
  modify(handle: bigint, settings: WStr, errorRecord: OutPointer): Hr;
  query(handle: bigint, query: WStr, result: OutPointer, errorRecord: OutPointer): Hr;
  delete(id: GuidStruct, errorRecord: OutPointer): Hr;
  close(handle: bigint): Hr;
}

export interface HcnLibrary {
  network: HcnFamilyFunctions & {
    create(id: GuidStruct, settings: WStr, handle: OutPointer, errorRecord: OutPointer): Hr;
  };
  endpoint: HcnFamilyFunctions & {
    create(network: bigint, id: GuidStruct, settings: WStr, handle: OutPointer, errorRecord: OutPointer): Hr;
  };
  namespace: HcnFamilyFunctions & {
    create(id: GuidStruct, settings: WStr, handle: OutPointer, errorRecord: OutPointer): Hr;
  };
  hnsCall(method: WStr, pathArg: WStr, request: WStr, response: OutPointer): Hr;
  /** Decodes a callee-allocated UTF-16 string (to its NUL) and frees it with CoTaskMemFree. */
  take(p: RawPointer): string | null;
  unload(): void;
}

// koffi keeps named types in one registry per process: declare them once.
let guidTypeRegistered = false;
function registerTypes(): void {
  if (guidTypeRegistered) return;
  const k = koffi();
  k.struct('NatCniGuid', {
    Data1: 'uint32_t',
    Data2: 'uint16_t',
    Data3: 'uint16_t',
    Data4: k.array('uint8_t', 8),
  });
  guidTypeRegistered = true;
}

type Library = ReturnType<Koffi['load']>;

function open(file: string): Library {
  try {
    return koffi().load(file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new HnsError('LoadLibrary', HR_MOD_NOT_FOUND, errorRecordJson(HR_MOD_NOT_FOUND, `${file}: ${msg}`));
  }
}

function declare(lib: Library, file: string, name: string, prototype: string): (...args: unknown[]) => number {
  try {
    return lib.func(prototype.replace('%', name)) as (...args: unknown[]) => number;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new HnsError(name, HR_PROC_NOT_FOUND, errorRecordJson(HR_PROC_NOT_FOUND, `${file}: ${msg}`));
  }
}

const P = {
  enumerate: 'int32_t __stdcall %(const char16_t *query, _Out_ void **result, _Out_ void **errorRecord)',
  create:
    'int32_t __stdcall %(const NatCniGuid *id, const char16_t *settings, _Out_ void **handle, _Out_ void **errorRecord)',
  createEndpoint:
    'int32_t __stdcall %(void *network, const NatCniGuid *id, const char16_t *settings, _Out_ void **handle, _Out_ void **errorRecord)',
  open: 'int32_t __stdcall %(const NatCniGuid *id, _Out_ void **handle, _Out_ void **errorRecord)',
  modify: 'int32_t __stdcall %(void *handle, const char16_t *settings, _Out_ void **errorRecord)',
  query: 'int32_t __stdcall %(void *handle, const char16_t *query, _Out_ void **result, _Out_ void **errorRecord)',
  delete: 'int32_t __stdcall %(const NatCniGuid *id, _Out_ void **errorRecord)',
  close: 'int32_t __stdcall %(void *handle)',
  hnsCall:
    'int32_t __stdcall %(const char16_t *method, const char16_t *path, const char16_t *request, _Out_ void **response)',
  free: 'void __stdcall %(void *pv)',
} as const;

function family(lib: Library, file: string, singular: string, plural: string): HcnFamilyFunctions {
  return {
    enumerate: declare(lib, file, `HcnEnumerate${plural}`, P.enumerate),
    open: declare(lib, file, `HcnOpen${singular}`, P.open),
    modify: declare(lib, file, `HcnModify${singular}`, P.modify),
    query: declare(lib, file, `HcnQuery${singular}Properties`, P.query),
    delete: declare(lib, file, `HcnDelete${singular}`, P.delete),
    close: declare(lib, file, `HcnClose${singular}`, P.close),
  };
}

/** From GetSystemDirectoryW, never from %SystemRoot%: the environment is the caller's to set. */
function system32(dll: string): string {
  return path.win32.join(systemDirectory(), dll);
}

/**
 * With no path (production, Windows): computenetwork.dll, vmcompute.dll (HNSCall) and ole32.dll
 * (CoTaskMemFree) from System32, by absolute path, as hcsshim loads them (LoadLibraryEx with
 * LOAD_LIBRARY_SEARCH_SYSTEM32 in its zsyscall_windows.go). With a path (the fake):
 * everything from that library, except that on Windows CoTaskMemFree still comes from ole32.dll,
 * because there the fake allocates with CoTaskMemAlloc and exports no CoTaskMemFree of its own.
 */
export function loadHcnLibrary(libraryPath?: string): HcnLibrary {
  registerTypes();
  const onWindows = process.platform === 'win32';
  const hcnFile = libraryPath ?? system32('computenetwork.dll');
  const libs: Library[] = [];
  const load = (file: string) => {
    const lib = open(file);
    libs.push(lib);
    return lib;
  };
  try {
    const hcn = load(hcnFile);
    const vmcomputeFile = libraryPath ?? system32('vmcompute.dll');
    const vmcompute = libraryPath ? hcn : load(vmcomputeFile);
    const ole32File = onWindows ? system32('ole32.dll') : hcnFile;
    const ole32 = onWindows ? load(ole32File) : hcn;

    const free = declare(ole32, ole32File, 'CoTaskMemFree', P.free);
    const take = (p: RawPointer): string | null => {
      if (p === null || p === 0n) return null;
      try {
        return koffi().decode(p, 'char16_t', -1) as string;
      } finally {
        free(p);
      }
    };
    return {
      network: {
        ...family(hcn, hcnFile, 'Network', 'Networks'),
        create: declare(hcn, hcnFile, 'HcnCreateNetwork', P.create),
      },
      endpoint: {
        ...family(hcn, hcnFile, 'Endpoint', 'Endpoints'),
        create: declare(hcn, hcnFile, 'HcnCreateEndpoint', P.createEndpoint),
      },
      namespace: {
        ...family(hcn, hcnFile, 'Namespace', 'Namespaces'),
        create: declare(hcn, hcnFile, 'HcnCreateNamespace', P.create),
      },
      hnsCall: declare(vmcompute, vmcomputeFile, 'HNSCall', P.hnsCall),
      take,
      unload: () => {
        for (const lib of libs.splice(0)) lib.unload();
      },
    };
  } catch (e) {
    for (const lib of libs) lib.unload();
    throw e;
  }
}
