/**
 * The v1 HNSCall surface (vmcompute.dll). hcsshim's v2 package calls it for one thing, the version
 * (hcn/hcnglobals.go GetGlobals: GET /globals/version); its v1 package (internal/hns: hnsnetwork.go,
 * hnsendpoint.go, namespace.go, hnspolicylist.go, hnsaccelnet.go) calls /networks/, /endpoints/,
 * /endpointstats/, /namespaces/, /policylists/ and /accelnet/, none of which is on the v2 NAT path
 * that containerd, nerdctl and the Go nat plugin take.
 *
 * HNS answers an HNSCall it understands with S_OK and an envelope {"Success", "Error", "Output"}; a
 * refusal is Success false with the reason in Error, which hcsshim turns into "HNS failed with
 * error : <Error>" (hcn/hcnglobals.go and internal/hns/hnsfuncs.go hnsCall; that text is what
 * moby/moby#40345 quotes). The paths the simulator does not model answer the same way, saying so.
 */
import { parseVersion } from '../settings';
import type { SimState } from '../state';
import { fail } from './failure';

const VERSION_PATH = '/globals/version';

/** The v1 paths hcsshim's internal/hns and hcn packages use, by their first segment. */
const V1_ROOTS = ['networks', 'endpoints', 'endpointstats', 'namespaces', 'policylists', 'accelnet', 'globals'];

const envelope = (ok: boolean, body: { Output?: unknown; Error?: string }): string =>
  JSON.stringify({ Success: ok, ...body });

/** The answer of `HNSCall(method, path, request)`: the response envelope text. */
export function hnsCall(state: SimState, method: string, path: string): string {
  const v = parseVersion(state.settings.hnsVersion);
  // Before 1803 (7.2) the version call itself fails and clients assume no features [S hcsshim hcn/hcnsupport.go].
  if (v.major < 7) fail('E_NOTIMPL', `HNSCall ${VERSION_PATH}`);
  const verb = method.toUpperCase();
  const clean = path.replace(/\/+$/, '').toLowerCase();
  if (verb === 'GET' && clean === VERSION_PATH) return envelope(true, { Output: { Major: v.major, Minor: v.minor } });
  const root = clean.split('/')[1] ?? '';
  const what = V1_ROOTS.includes(root) ? 'is not simulated' : 'is no HNS v1 path hcsshim uses, and is not simulated';
  return envelope(false, {
    Error: `HNSCall ${verb} ${path} ${what} (hns-sim models only GET ${VERSION_PATH} of the v1 API)`,
  });
}
