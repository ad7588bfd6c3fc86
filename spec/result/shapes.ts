/**
 * Which result shape each spec version uses. libcni groups them the same way: one Go type per
 * group (types020, types040, types100), and a result's own version may be any member of the group
 * its reader expects (`NewResult` checks membership, not equality).
 */
import type { CniVersion } from '../versions';

export type WireShape = '0.2' | '0.4' | '1.0' | '1.1';

const SHAPE: Record<CniVersion, WireShape> = {
  '0.1.0': '0.2',
  '0.2.0': '0.2',
  '0.3.0': '0.4',
  '0.3.1': '0.4',
  '0.4.0': '0.4',
  '1.0.0': '1.0',
  '1.1.0': '1.1',
};

export const shapeOf = (v: CniVersion): WireShape => SHAPE[v];

/**
 * The versions one libcni result type accepts (its `supportedVersions`). 1.0.0 and 1.1.0 share
 * `types100` from libcni 1.2 on, which is the generation that knows 1.1.0. `""` is types020's own
 * spelling of 0.1.0.
 */
export function sameResultType(v: CniVersion): readonly string[] {
  switch (shapeOf(v)) {
    case '0.2':
      return ['', '0.1.0', '0.2.0'];
    case '0.4':
      return ['0.3.0', '0.3.1', '0.4.0'];
    default:
      return ['1.0.0', '1.1.0'];
  }
}
