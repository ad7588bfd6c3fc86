/**
 * HNS for the operator commands: the same choice the plugin's own entry makes (how to open HcnApi, and
 * where the network lock files go off Windows). An entry point may pass its own; this default follows
 * NAT_CNI_HNS as plugin/deps.ts does.
 */
import type { HcnApi } from '../../hns/api';
import { createHcnApi, HNS_BACKEND_ENV, parseHnsBackend } from '../../hns/backend';
import { defaultLockDir } from '../lock';

/** How to reach HNS, as the plugin's entry chooses it. */
export interface HnsChoice {
  open(): HcnApi;
  lockDir: string;
}

export function hnsFromEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): HnsChoice {
  const backend = parseHnsBackend(env[HNS_BACKEND_ENV], platform);
  // The simulator serialises on its state folder, so the plugin's network locks live beside it.
  return { open: () => createHcnApi(backend), lockDir: backend.kind === 'sim' ? backend.stateDir : defaultLockDir() };
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
