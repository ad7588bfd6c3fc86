/**
 * The host's network adapters by friendly name ("Ethernet", "Ethernet 2", "vEthernet (nat)"), as a
 * config's `master` names them and HNS's NetAdapterName policy wants them: iphlpapi's
 * GetAdaptersAddresses through koffi (Windows only). Unlike os.networkInterfaces() it also lists
 * adapters without an address or that are down, which HNS still knows by name.
 */
import type * as KoffiModule from 'koffi';

const AF_UNSPEC = 0;
/** GAA_FLAG_SKIP_UNICAST | ANYCAST | MULTICAST | DNS_SERVER: names only. */
const SKIP_ADDRESSES = 0x1 | 0x2 | 0x4 | 0x8;
const ERROR_SUCCESS = 0;
const ERROR_BUFFER_OVERFLOW = 111;
const ERROR_NO_DATA = 232;

type Fn = (...args: unknown[]) => unknown;
let bound: { koffi: typeof KoffiModule; GetAdaptersAddresses: Fn } | undefined;

function api(): NonNullable<typeof bound> {
  if (bound) return bound;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi only on Windows, loaded on first use
  const koffi = require('koffi') as typeof KoffiModule;
  const lib = koffi.load('iphlpapi.dll');
  // The head of IP_ADAPTER_ADDRESSES (iptypes.h), up to FriendlyName: a union of ULONGLONG with
  // {Length, IfIndex}, then Next and seven more pointers. Only what the walk reads.
  koffi.struct('NatCniAdapterHead', {
    Length: 'uint32_t',
    IfIndex: 'uint32_t',
    Next: 'void *',
    AdapterName: 'void *',
    FirstUnicastAddress: 'void *',
    FirstAnycastAddress: 'void *',
    FirstMulticastAddress: 'void *',
    FirstDnsServerAddress: 'void *',
    DnsSuffix: 'void *',
    Description: 'void *',
    FriendlyName: 'void *',
  });
  bound = {
    koffi,
    GetAdaptersAddresses: lib.func(
      'uint32_t __stdcall GetAdaptersAddresses(uint32_t family, uint32_t flags, void *reserved, void *addresses, _Inout_ uint32_t *size)',
    ),
  };
  return bound;
}

const isNull = (p: unknown): boolean => p === null || p === undefined || p === 0n;

/** The friendly names of the host's adapters. Throws when the OS cannot say (the caller decides what that means). */
export function hostAdapterNames(): string[] {
  const w = api();
  let size = 16 * 1024;
  for (let attempt = 0; attempt < 4; attempt++) {
    const buf = Buffer.alloc(size);
    const inout = [size];
    const rc = w.GetAdaptersAddresses(AF_UNSPEC, SKIP_ADDRESSES, null, buf, inout) as number;
    if (rc === ERROR_NO_DATA) return [];
    if (rc === ERROR_BUFFER_OVERFLOW) {
      size = Math.max((inout[0] as number) + 1024, size * 2);
      continue;
    }
    if (rc !== ERROR_SUCCESS) throw new Error(`GetAdaptersAddresses failed (error ${rc})`);
    const names: string[] = [];
    // The list lives in `buf`: the first node at its start, each Next pointing further into it.
    let node = w.koffi.decode(buf, 'NatCniAdapterHead') as { Next: unknown; FriendlyName: unknown };
    for (let n = 0; n < 4096; n++) {
      if (!isNull(node.FriendlyName)) names.push(w.koffi.decode(node.FriendlyName, 'char16_t', -1) as string);
      if (isNull(node.Next)) break;
      node = w.koffi.decode(node.Next, 'NatCniAdapterHead') as typeof node;
    }
    return names;
  }
  throw new Error('GetAdaptersAddresses kept asking for a larger buffer');
}
