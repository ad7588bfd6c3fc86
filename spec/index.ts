/** The CNI protocol SDK: everything a TypeScript CNI plugin needs, independent of Windows. */
export { runPlugin, dispatch, toCniError, formatError } from './skel';
export type { CniPlugin, CniContext, HandlerCommand, DispatchInput, DispatchOutput } from './skel';
export { CniError, CniCode, isCniError, errorObject } from './errors';
export type { CniCodeName } from './errors';
export { ALL_VERSIONS, CURRENT_VERSION, isKnownVersion } from './versions';
export type { CniVersion } from './versions';
export {
  decodeConfigVersion,
  parseVersion,
  versionAtLeast,
  checkVersionSupported,
  negotiateVersion,
  newestVersion,
  versionAnswer,
  MIN_VERSION_FOR,
} from './version';
export {
  CNI_COMMANDS,
  ATTACHMENT_COMMANDS,
  isCniCommand,
  isAttachmentCommand,
  readCniEnv,
  requiredEnvVars,
  checkRequiredEnv,
  splitCniPath,
} from './env';
export type { CniCommand, AttachmentCommand, CniEnv, EnvSource } from './env';
export { parseCniArgs, loadCniArgs } from './args';
export type { CniArgs } from './args';
export { validateContainerId, validateInterfaceName, validateNetworkName, MAX_INTERFACE_NAME_BYTES } from './names';
export {
  NetworkConfigSchema,
  DnsConfigSchema,
  IpamConfigSchema,
  GcAttachmentSchema,
  parseNetworkConfig,
  checkNetworkName,
  parseValidAttachments,
  describeIssue,
  VALID_ATTACHMENTS_KEY,
  LEGACY_ATTACHMENTS_KEY,
} from './config';
export type { NetworkConfig, DnsConfig, IpamConfig, GcAttachment } from './config';
export { readStdinSync, decodeConfigJson, writeAllSync, MAX_STDIN_BYTES } from './stdin';
export { getKey, canonicalizeKeys, ciObject, ciLooseObject } from './keys';
export * from './result';
