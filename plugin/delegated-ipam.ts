/**
 * The IPAM side of an attachment as one object, the only owner of its lifecycle: ADD (with the release
 * of whatever an earlier ADD of the same attachment holds), DEL, CHECK, GC and STATUS. With `ipam.type`
 * empty HNS allocates from the network's subnet and every step is a no-op; otherwise each step runs the
 * delegated plugin (ipam.ts) with our stdin and environment, as SPEC.md "Delegated plugins" says, and
 * spec 1.1.0 adds that GC and STATUS are forwarded too.
 */
import type { CniContext } from '../spec/skel';
import { getKey } from '../spec/keys';
import type { Result } from '../spec/result/model';
import type { IpamRequest, PluginDeps } from './deps';
import { resolveIpamPlugin } from './ipam';

export interface Ipam {
  /** The delegated plugin's `ipam.type`; undefined when HNS allocates addresses. */
  readonly type: string | undefined;
  /** A missing plugin, or this plugin named as its own, is a config error found before HNS is touched. */
  resolve(): void;
  /**
   * ADD: first release what an earlier ADD of this attachment still holds (one interrupted half-way, or
   * the endpoint this ADD replaces: host-local refuses a second allocation for the same container and
   * interface), then allocate. Called only once no endpoint of this attachment exists any more.
   */
  allocate(): Result | undefined;
  /** DEL: release the attachment's address; only once no endpoint holds it. */
  release(): void;
  check(): void;
  /**
   * GC: the runtime's stdin, `cni.dev/valid-attachments` included, goes to the delegate unchanged.
   * A delegate that does not support the configuration's version (host-local 1.1 knows no GC and answers
   * it with an error) is not asked: `skipped` says why, for the log.
   */
  gc(): { skipped?: string };
  /** STATUS: the delegate's error, its code kept, is ours. Skipped like GC for a delegate that predates it. */
  status(): { skipped?: string };
}

/** `ipam.type` read leniently, for the commands that must work with a config ADD would refuse (DEL, GC). */
export function ipamTypeOf(raw: unknown): string | undefined {
  const type = getKey(getKey(raw, 'ipam'), 'type');
  return typeof type === 'string' && type !== '' ? type : undefined;
}

const NO_IPAM: Ipam = {
  type: undefined,
  resolve: () => undefined,
  allocate: () => undefined,
  release: () => undefined,
  check: () => undefined,
  gc: () => ({}),
  status: () => ({}),
};

export function delegatedIpam(
  type: string | undefined,
  ctx: CniContext,
  deps: Pick<PluginDeps, 'ipam' | 'ipamVersions'>,
): Ipam {
  if (type === undefined || type === '') return NO_IPAM;
  const request: IpamRequest = {
    type,
    cniPath: ctx.path,
    env: process.env,
    stdin: ctx.stdin,
    cniVersion: ctx.cniVersion,
  };
  /** GC and STATUS exist from 1.1.0 on: asked only of a delegate that lists the configuration's version. */
  const unsupported = (command: 'GC' | 'STATUS'): string | undefined => {
    const versions = deps.ipamVersions(request);
    return versions.includes(ctx.cniVersion)
      ? undefined
      : `IPAM plugin "${type}" supports CNI versions ${versions.join(', ')}, not ${ctx.cniVersion}, so it knows no ${command}`;
  };
  return {
    type,
    resolve: () => void resolveIpamPlugin(type, ctx.path),
    allocate: () => {
      deps.ipam('DEL', request);
      return deps.ipam('ADD', request);
    },
    release: () => void deps.ipam('DEL', request),
    check: () => void deps.ipam('CHECK', request),
    gc: () => {
      const skipped = unsupported('GC');
      if (skipped === undefined) deps.ipam('GC', request);
      return skipped === undefined ? {} : { skipped };
    },
    status: () => {
      const skipped = unsupported('STATUS');
      if (skipped === undefined) deps.ipam('STATUS', request);
      return skipped === undefined ? {} : { skipped };
    },
  };
}
