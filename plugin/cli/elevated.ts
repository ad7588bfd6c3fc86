/**
 * Whether this process runs elevated (Windows): shell32's IsUserAnAdmin, which is true when the token
 * holds the Administrators group enabled, i.e. an elevated console or a SYSTEM service. koffi is
 * required here, on first use, as the HCN binding does.
 */
export function isElevated(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- koffi only on Windows
  const koffi = require('koffi') as typeof import('koffi');
  const isUserAnAdmin = koffi.load('shell32.dll').func('int __stdcall IsUserAnAdmin()') as () => number;
  return isUserAnAdmin() !== 0;
}
