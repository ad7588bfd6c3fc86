/**
 * The shape of every hcsshim operation: open (or create) a handle, act, query, and always close,
 * whatever happened in between. Handles never outlive one operation.
 *
 * A close that fails changes nothing HNS holds (the object is as the work left it), so it never
 * decides an operation's outcome: after work that succeeded it is a warning, after work that failed
 * the work's error is the one that counts. Above all it must not skip the clean-up of a failed create.
 */
import type { z } from '../../spec/zod';
import type { HcnHandle } from '../api';
import { randomGuid } from '../guid';
import { reportHnsWarning } from './warnings';

function closeOrWarn(close: (h: HcnHandle) => void, handle: HcnHandle): void {
  try {
    close(handle);
  } catch (e) {
    reportHnsWarning(`a handle could not be closed: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

export function withHandle<T>(open: () => HcnHandle, close: (h: HcnHandle) => void, act: (h: HcnHandle) => T): T {
  const handle = open();
  let value: T;
  try {
    value = act(handle);
  } catch (e) {
    closeOrWarn(close, handle);
    throw e;
  }
  closeOrWarn(close, handle);
  return value;
}

/** HNS answered with JSON the schema does not accept: a protocol fault, not a missing object. */
export class HnsDecodeError extends Error {
  override readonly name = 'HnsDecodeError';
  constructor(
    readonly call: string,
    readonly text: string,
    reason: string,
  ) {
    super(`${call} returned a document that could not be read: ${reason}`);
  }
}

export function decodeJson<S extends z.ZodType>(call: string, text: string, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HnsDecodeError(call, text, (e as Error).message);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HnsDecodeError(call, text, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Create an object under an ID chosen here (HNS takes a non-zero GUID as the new object's ID) and read
 * it back. hcsshim passes the zero GUID and learns the ID only from the query, so when the query fails
 * the object is left behind unknown; knowing the ID, we delete it and the create is all or nothing.
 * The same holds when the create itself fails: its answer may have been lost after HNS created the
 * object (an RPC failure on the way back), and only we know the ID to look for. `remove` must treat
 * an object that does not exist as removed.
 */
export function createAndRead<T>(
  create: (id: string) => HcnHandle,
  close: (h: HcnHandle) => void,
  read: (h: HcnHandle) => T,
  remove: (id: string) => void,
): T {
  const id = randomGuid();
  let handle: HcnHandle;
  try {
    handle = create(id);
  } catch (e) {
    removeLeftover(remove, id);
    throw e;
  }
  let value: T;
  try {
    value = read(handle);
  } catch (e) {
    closeOrWarn(close, handle);
    removeLeftover(remove, id);
    throw e;
  }
  closeOrWarn(close, handle);
  return value;
}

/** The create's own failure is what the caller must see; a failed clean-up is a warning naming the object. */
function removeLeftover(remove: (id: string) => void, id: string): void {
  try {
    remove(id);
  } catch (e) {
    reportHnsWarning(
      `object ${id} of a failed create could not be removed: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
}
