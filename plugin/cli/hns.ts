/** HNS for the operator commands: the backend the plugin itself would use (NAT_CNI_HNS, else the real one). */
import type { HcnApi } from '../../hns/api';
import { createHcnApi, HNS_BACKEND_ENV, parseHnsBackend } from '../../hns/backend';

export function openHns(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): HcnApi {
  return createHcnApi(parseHnsBackend(env[HNS_BACKEND_ENV], platform));
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
