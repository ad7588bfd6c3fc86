/**
 * What the delegated-IPAM cases (C-48 … C-51, C-69, X-13, X-22) and the backend-outage cases (C-62,
 * C-78, X-11) share: the profile's delegation mode and outage, and ADD/DEL with the delegation CNI_PATH.
 */
import type { T } from '../context';
import type { CodeRule } from '../judge';
import type { Container, IpamDelegation, JsonObject } from '../profiles/types';

export function requireDelegation(t: T): IpamDelegation {
  const d = t.session.delegation;
  if (d) return d;
  return t.skip(
    t.session.profile === 'nat'
      ? 'delegation: the nat profile delegates IPAM only with --ipam-path (folders holding recording-ipam and host-local)'
      : 'delegation: the profile does not configure a delegated IPAM plugin',
  );
}

/** The environment overrides of every call in a delegation case: the IPAM plugins on CNI_PATH. */
export const delegationEnv = (
  d: IpamDelegation,
  extra: Record<string, string | null> = {},
): Record<string, string | null> => ({
  CNI_PATH: d.cniPath,
  ...extra,
});

/** ADD with a delegating config; the caller DELs (with delegationEnv: the tracked clean-up would not find the IPAM plugin). */
export async function delegatedAdd(
  t: T,
  d: IpamDelegation,
  version: string,
  config: JsonObject,
  step: string,
  c?: Container,
): Promise<{ container: Container; result: JsonObject }> {
  const container = c ?? (await t.container());
  const result = t.expectResult(await t.run('ADD', config, container, delegationEnv(d)), version, step);
  return { container, result };
}

export const delegatedDel = (t: T, d: IpamDelegation, config: JsonObject, c: Container, step: string): Promise<void> =>
  t.del(config, c, step, delegationEnv(d));

/** Runs `fn` while every backend call fails as if the backend were down; the outage ends either way. */
export async function duringOutage(t: T, fn: () => Promise<void>): Promise<void> {
  const provoke = t.session.provokeOutage?.bind(t.session);
  if (!provoke)
    return t.skip("the profile cannot make its backend unreachable (a host's HNS takes no fault injection)");
  const outage = await provoke();
  try {
    await fn();
  } finally {
    await outage.undo();
  }
}

/** A retryable condition: E(11) by the spec; Go plugins have no such code, so compat takes any error. */
export const TRANSIENT: CodeRule = { strict: [11], compat: 'any' };
