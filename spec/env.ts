/**
 * The CNI environment (SPEC.md §2 "Parameters"): which variables each command needs, read the way
 * runtimes send them. libcni always exports all six `CNI_*` variables, empty ones included, so an
 * empty value counts as absent.
 */
import { CniCode, CniError } from './errors';

export const CNI_COMMANDS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'GC', 'STATUS'] as const;
export type CniCommand = (typeof CNI_COMMANDS)[number];
export const isCniCommand = (s: string): s is CniCommand => (CNI_COMMANDS as readonly string[]).includes(s);

/** The commands that act on one attachment (container id + interface). */
export const ATTACHMENT_COMMANDS = ['ADD', 'DEL', 'CHECK'] as const;
export type AttachmentCommand = (typeof ATTACHMENT_COMMANDS)[number];
export const isAttachmentCommand = (s: string): s is AttachmentCommand =>
  (ATTACHMENT_COMMANDS as readonly string[]).includes(s);

/** The variables in the order Go's skel lists them in `required env variables [...] missing`. */
export const CNI_ENV_VARS = [
  'CNI_COMMAND',
  'CNI_CONTAINERID',
  'CNI_NETNS',
  'CNI_IFNAME',
  'CNI_ARGS',
  'CNI_PATH',
] as const;
export type CniEnvVar = (typeof CNI_ENV_VARS)[number];

/**
 * Required variables per command, besides CNI_COMMAND itself (always required).
 * - ADD/CHECK/DEL: Go skel v1.1.2, which Microsoft's nat plugin uses, except CNI_PATH: Go requires it,
 *   the spec calls it optional. We follow the spec (no runtime depends on the refusal, every runtime
 *   sends it); a plugin that needs it to find a delegate says so when it does.
 * - GC: SPEC 1.1.0 requires CNI_PATH (skel ≥1.2 agrees).
 * - STATUS: SPEC 1.1.0 lists CNI_PATH as optional; skel ≥1.2 requires it. We follow the spec: every
 *   runtime sends it anyway, so no runtime depends on the refusal.
 * - VERSION and unknown commands: nothing.
 */
const REQUIRED: Readonly<Record<string, readonly CniEnvVar[]>> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  GC: ['CNI_PATH'],
  STATUS: [],
  VERSION: [],
};

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** The raw CNI variables; absent ones are `''`. */
export interface CniEnv {
  command: string;
  containerId: string;
  netns: string;
  ifName: string;
  args: string;
  path: string;
}

export function readCniEnv(env: EnvSource): CniEnv {
  const get = (k: CniEnvVar) => env[k] ?? '';
  return {
    command: get('CNI_COMMAND'),
    containerId: get('CNI_CONTAINERID'),
    netns: get('CNI_NETNS'),
    ifName: get('CNI_IFNAME'),
    args: get('CNI_ARGS'),
    path: get('CNI_PATH'),
  };
}

export const requiredEnvVars = (command: string): readonly CniEnvVar[] => ['CNI_COMMAND', ...(REQUIRED[command] ?? [])];

const valueOf = (env: CniEnv, name: CniEnvVar): string =>
  ({
    CNI_COMMAND: env.command,
    CNI_CONTAINERID: env.containerId,
    CNI_NETNS: env.netns,
    CNI_IFNAME: env.ifName,
    CNI_ARGS: env.args,
    CNI_PATH: env.path,
  })[name];

/** Code 4 naming every missing variable, as Go does: `required env variables [A,B] missing`. */
export function checkRequiredEnv(env: CniEnv): void {
  const required = requiredEnvVars(env.command);
  const missing = CNI_ENV_VARS.filter((v) => required.includes(v) && valueOf(env, v) === '');
  if (missing.length > 0) {
    throw new CniError(CniCode.InvalidEnvironmentVariables, `required env variables [${missing.join(',')}] missing`);
  }
}

/**
 * Split CNI_PATH like Go's filepath.SplitList: `;` on Windows (where a double-quoted segment may
 * contain `;`, and the quotes are removed), `:` elsewhere. Empty entries are dropped rather than
 * meaning "the current directory": a plugin must never find a delegate in an arbitrary CWD.
 */
export function splitCniPath(raw: string, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return raw.split(':').filter((p) => p !== '');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((p) => p !== '');
}
