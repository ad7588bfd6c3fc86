/** The v1 HNSCall surface (vmcompute.dll): only what hcsshim still uses it for, the version. */
import { parseVersion } from '../settings';
import type { SimState } from '../state';
import { fail } from './failure';

/** The answer of `HNSCall(method, path, request)`: the response envelope text. */
export function hnsCall(state: SimState, method: string, path: string): string {
  const v = parseVersion(state.settings.hnsVersion);
  // Before 1803 (7.2) the version call itself fails and clients assume no features [S hcsshim hcnsupport].
  if (v.major < 7) fail('E_NOTIMPL', 'HNSCall /globals/version');
  if (method.toUpperCase() === 'GET' && path.replace(/\/+$/, '').toLowerCase() === '/globals/version') {
    return JSON.stringify({ Success: true, Output: { Major: v.major, Minor: v.minor } });
  }
  // The other v1 paths (networks, endpoints, policy lists...) are not simulated.
  return fail('E_NOTIMPL', `HNSCall ${method} ${path} is not simulated`);
}

