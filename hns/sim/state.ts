/**
 * The simulator's persistent state: one JSON file in the state folder, replaced atomically
 * (write a temporary file, then rename) while the folder lock is held.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Dns, EndpointPolicy, IpConfig, Ipam, MacPool, NamespaceType, NetworkMode, NetworkPolicy, Route, SchemaVersion } from '../schema';
import { SimSettings } from './settings';
import { Fault } from './faults';

/** Records keep canonical (lowercase) IDs; the letter case HNS prints is applied when rendering. */
export const NetworkRecord = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(NetworkMode),
  flags: z.number(),
  ipams: z.array(Ipam),
  macPool: MacPool,
  dns: Dns.optional(),
  policies: z.array(NetworkPolicy),
  schemaVersion: SchemaVersion,
});
export type NetworkRecord = z.infer<typeof NetworkRecord>;

export const EndpointRecord = z.object({
  id: z.string(),
  name: z.string(),
  networkId: z.string(),
  namespaceId: z.string().optional(),
  policies: z.array(EndpointPolicy),
  ipConfigurations: z.array(IpConfig),
  dns: Dns.optional(),
  routes: z.array(Route),
  macAddress: z.string(),
  flags: z.number(),
  schemaVersion: SchemaVersion,
});
export type EndpointRecord = z.infer<typeof EndpointRecord>;

export const NamespaceRecord = z.object({
  id: z.string(),
  namespaceId: z.number(),
  type: z.enum(NamespaceType),
  isDefault: z.boolean(),
  resources: z.array(z.object({ type: z.enum(['Container', 'Endpoint']), id: z.string() })),
  schemaVersion: SchemaVersion,
});
export type NamespaceRecord = z.infer<typeof NamespaceRecord>;

export const SimState = z.object({
  format: z.literal(1),
  settings: SimSettings,
  networks: z.array(NetworkRecord),
  endpoints: z.array(EndpointRecord),
  namespaces: z.array(NamespaceRecord),
  faults: z.array(Fault),
  /** Calls per export name since the last reset. */
  calls: z.record(z.string(), z.number()),
  /** Every call in order, when settings.recordCalls is on. */
  callLog: z.array(z.object({ fn: z.string(), hresult: z.number() })),
});
export type SimState = z.infer<typeof SimState>;

export const STATE_FILE = 'state.json';

export function initialState(settings: SimSettings = SimSettings.parse({})): SimState {
  return { format: 1, settings, networks: [], endpoints: [], namespaces: [], faults: [], calls: {}, callLog: [] };
}

/** The state in `dir`, or a fresh one when the folder has none yet. */
export function loadState(dir: string): SimState {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return initialState();
    throw e;
  }
  // Only this module writes the file, so a full schema pass per call would be wasted time (it
  // dominated the per-call cost); settings are parsed so that newly added switches get defaults.
  const raw = JSON.parse(text) as SimState;
  if (raw?.format !== 1) throw new Error(`${path.join(dir, STATE_FILE)} is not a simulator state (format ${String(raw?.format)})`);
  return { ...initialState(), ...raw, settings: SimSettings.parse(raw.settings ?? {}) };
}

/** The full schema check, for tools and tests that read a state they did not write. */
export const validateState = (state: unknown): SimState => SimState.parse(state);

let tmpCounter = 0;

export function saveState(dir: string, state: SimState): void {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `${STATE_FILE}.${process.pid}.${++tmpCounter}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(state, null, 1));
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}
