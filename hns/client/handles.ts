/**
 * The shape of every hcsshim operation: open (or create) a handle, act, query, and always close,
 * whatever happened in between. Handles never outlive one operation.
 */
import type { z } from 'zod';
import type { HcnHandle } from '../api';
import { randomGuid } from '../guid';

export function withHandle<T>(open: () => HcnHandle, close: (h: HcnHandle) => void, act: (h: HcnHandle) => T): T {
  const handle = open();
  try {
    return act(handle);
  } finally {
    close(handle);
  }
}

/** HNS answered with JSON the schema does not accept: a protocol fault, not a missing object. */
export class HnsDecodeError extends Error {
  override readonly name = 'HnsDecodeError';
  constructor(readonly call: string, readonly text: string, reason: string) {
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
 */
export function createAndRead<T>(
  create: (id: string) => HcnHandle,
  close: (h: HcnHandle) => void,
  read: (h: HcnHandle) => T,
  remove: (id: string) => void,
): T {
  const id = randomGuid();
  const handle = create(id);
  try {
    return read(handle);
  } catch (e) {
    try {
      remove(id);
    } catch {
      // The read failure is what the caller must see.
    }
    throw e;
  } finally {
    close(handle);
  }
}
