/**
 * The simulator's persistent state, kept so that a call costs about the same whatever is stored:
 *
 *   <state dir>/state.json/            a folder (the one entry the state folder ever holds, as before)
 *     meta.json                        format, settings, faults, call counters, call log, objects token
 *     objects.<token>.json             networks, endpoints, namespaces
 *
 * Every call rewrites the small meta.json (its counters change); only a call that changed objects
 * writes a new objects file. meta.json is the commit point: it names the objects file that goes with
 * it, so a reader never pairs counters with objects of another moment, and a process keeps the objects
 * it last read in memory for as long as meta.json still names the same token (real HNS is a service
 * with an in-memory database; this is the nearest a folder shared by processes gets).
 *
 * Files are replaced atomically (write a temporary file, then rename) while the folder lock is held;
 * lock-free readers (tools, the lock-timeout lookup) retry when a writer replaces a file under them.
 *
 * A folder in the previous layout (format 1: one pretty-printed `state.json` file) still loads; the
 * first call under the lock converts it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as z from '../../spec/zod';
import {
  Dns,
  EndpointPolicy,
  IpConfig,
  Ipam,
  MacPool,
  NamespaceType,
  NetworkMode,
  NetworkPolicy,
  Route,
  SchemaVersion,
} from '../schema';
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

export const SimObjects = z.object({
  networks: z.array(NetworkRecord),
  endpoints: z.array(EndpointRecord),
  namespaces: z.array(NamespaceRecord),
});
export type SimObjects = z.infer<typeof SimObjects>;

export const SimBook = z.object({
  settings: SimSettings,
  faults: z.array(Fault),
  /** Calls per export name since the last reset. */
  calls: z.record(z.string(), z.number()),
  /** Every call in order, when settings.recordCalls is on. */
  callLog: z.array(z.object({ fn: z.string(), hresult: z.number() })),
});
export type SimBook = z.infer<typeof SimBook>;

/** The whole state as one value: what the model works on and what `dump --raw` prints. */
export const SimState = z.object({ format: z.literal(1), ...SimBook.shape, ...SimObjects.shape });
export type SimState = z.infer<typeof SimState>;

/** meta.json: the book plus the token of the objects file that goes with it ('' = no objects yet). */
type Meta = SimBook & { format: 2; objects: string };

/** The state folder's one entry; a folder now, a file in format 1. */
export const STATE_FILE = 'state.json';
const META = 'meta.json';
const objectsFile = (token: string) => `objects.${token}.json`;

export function initialState(settings: SimSettings = SimSettings.parse({})): SimState {
  return { format: 1, settings, networks: [], endpoints: [], namespaces: [], faults: [], calls: {}, callLog: [] };
}

const emptyObjects = (): SimObjects => ({ networks: [], endpoints: [], namespaces: [] });

const readText = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
};

const isLegacy = (dir: string): boolean => {
  try {
    return fs.statSync(path.join(dir, STATE_FILE)).isFile();
  } catch {
    return false;
  }
};

/**
 * Only this module writes these files, so a full schema pass per call would be wasted time (it
 * dominated the per-call cost); settings are parsed so that newly added switches get defaults.
 */
function readMeta(dir: string): Meta | undefined {
  const file = path.join(dir, STATE_FILE, META);
  const text = readText(file);
  if (text === undefined) return undefined;
  const raw = JSON.parse(text) as Meta;
  if (raw?.format !== 2)
    throw new Error(
      `${file} is not a simulator state (format ${String(raw?.format)}); run \`hns-sim --state ${dir} reset --all\``,
    );
  return { ...raw, settings: SimSettings.parse(raw.settings ?? {}) };
}

function readLegacy(dir: string): SimState | undefined {
  const file = path.join(dir, STATE_FILE);
  const text = readText(file);
  if (text === undefined) return undefined;
  const raw = JSON.parse(text) as SimState;
  if (raw?.format !== 1)
    throw new Error(
      `${file} is not a simulator state (format ${String(raw?.format)}); remove it or run \`hns-sim --state ${dir} reset --all\``,
    );
  return { ...initialState(), ...raw, settings: SimSettings.parse(raw.settings ?? {}) };
}

const readObjects = (dir: string, token: string): SimObjects | undefined => {
  if (token === '') return emptyObjects();
  const text = readText(path.join(dir, STATE_FILE, objectsFile(token)));
  return text === undefined ? undefined : (JSON.parse(text) as SimObjects);
};

const compose = (meta: Meta | undefined, objects: SimObjects): SimState => {
  const book: SimBook = meta ?? initialState();
  return {
    format: 1,
    settings: book.settings,
    faults: book.faults,
    calls: book.calls,
    callLog: book.callLog,
    ...objects,
  };
};

/** The settings alone, without reading any object (the lock timeout is needed before the lock). */
export function loadSettings(dir: string): SimSettings {
  if (isLegacy(dir)) return (readLegacy(dir) ?? initialState()).settings;
  return (readMeta(dir) ?? initialState()).settings;
}

/** Settings, faults, counters and call log, without reading any object. */
export function loadBook(dir: string): SimBook {
  if (isLegacy(dir)) return readLegacy(dir) ?? initialState();
  return readMeta(dir) ?? initialState();
}

/**
 * The state in `dir` (a fresh one when the folder has none yet), read without the lock: a copy of its
 * own for the caller. A writer may replace meta.json and remove the objects file it named between
 * the two reads; then the pair is read again.
 */
export function loadState(dir: string): SimState {
  for (let attempt = 0; ; attempt++) {
    if (isLegacy(dir)) return readLegacy(dir) ?? initialState();
    const meta = readMeta(dir);
    const objects = readObjects(dir, meta?.objects ?? '');
    if (objects) return compose(meta, objects);
    if (attempt >= 100) throw new Error(`${path.join(dir, STATE_FILE)}: ${META} names a missing objects file`);
  }
}

/** The full schema check, for tools and tests that read a state they did not write. */
export const validateState = (state: unknown): SimState => SimState.parse(state);

/** Per state folder: the objects this process last read or wrote, and the token they were saved under. */
const cache = new Map<string, { token: string; objects: SimObjects }>();
/** The objects token each opened state was read under, so that a commit need not read meta.json again. */
const openedAt = new WeakMap<SimState, string>();

/**
 * The state for a caller holding the folder lock. Its object arrays are this process's cached ones,
 * shared with the next call: a caller that changes objects must `commitState` them, or `forgetObjects`.
 */
export function openState(dir: string): SimState {
  if (isLegacy(dir)) migrate(dir);
  const meta = readMeta(dir);
  const token = meta?.objects ?? '';
  const key = path.resolve(dir);
  const hit = cache.get(key);
  let objects = hit && hit.token === token && token !== '' ? hit.objects : undefined;
  if (!objects) {
    objects = readObjects(dir, token);
    if (!objects)
      throw new Error(
        `${path.join(dir, STATE_FILE)}: ${META} names a missing objects file; run \`hns-sim --state ${dir} reset --all\``,
      );
    if (token !== '') cache.set(key, { token, objects });
  }
  const state = compose(meta, objects);
  openedAt.set(state, token);
  return state;
}

/** Drop this process's copy of the objects (after a change that is not to be kept). */
export const forgetObjects = (dir: string): void => void cache.delete(path.resolve(dir));

let tmpCounter = 0;

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Save the state under the folder lock. The objects file is written only when `objectsChanged`;
 * meta.json always is, last, as the commit. Compact JSON: `dump` is the readable view.
 */
export function commitState(dir: string, state: SimState, objectsChanged: boolean): void {
  const folder = path.join(dir, STATE_FILE);
  fs.mkdirSync(folder, { recursive: true });
  const key = path.resolve(dir);
  const previous = openedAt.get(state) ?? readMeta(dir)?.objects ?? '';
  let token = previous;
  const objects: SimObjects = { networks: state.networks, endpoints: state.endpoints, namespaces: state.namespaces };
  if (objectsChanged || previous === '') {
    token = randomBytes(8).toString('hex');
    writeAtomically(path.join(folder, objectsFile(token)), JSON.stringify(objects));
  }
  const meta: Meta = {
    format: 2,
    settings: state.settings,
    faults: state.faults,
    calls: state.calls,
    callLog: state.callLog,
    objects: token,
  };
  writeAtomically(path.join(folder, META), JSON.stringify(meta));
  cache.set(key, { token, objects });
  openedAt.set(state, token);
  if (token !== previous) removeStale(folder, token);
}

/** Objects files no meta.json names any more, and temporary files of writers that died mid-write. */
function removeStale(folder: string, keep: string): void {
  for (const name of fs.readdirSync(folder)) {
    if (name === META || name === objectsFile(keep)) continue;
    if (/^objects\.[0-9a-f]+\.json$/.test(name) || name.endsWith('.tmp'))
      fs.rmSync(path.join(folder, name), { force: true });
  }
}

/** Save a whole state (format 1 or otherwise), under the folder lock. */
export const saveState = (dir: string, state: SimState): void => commitState(dir, state, true);

/**
 * Convert a format-1 folder (one `state.json` file) in place, under the folder lock. The new folder
 * is built aside and renamed in; a crash in between leaves the old file as `state.json.<pid>.old`.
 */
function migrate(dir: string): void {
  const legacy = readLegacy(dir) ?? initialState();
  const file = path.join(dir, STATE_FILE);
  const aside = `${file}.${process.pid}.old`;
  fs.renameSync(file, aside);
  commitState(dir, legacy, true);
  fs.rmSync(aside, { force: true });
}
