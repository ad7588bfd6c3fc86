/** Enumerate-then-open-each, as hcsshim's ListXQuery / GetXByName / GetXByID do (hcsshim hcn/hcnnetwork.go, hcnendpoint.go, hcnnamespace.go). */
import * as z from '../../spec/zod';
import type { HcnObjectCalls } from '../api';
import { isNotFound } from '../errors';
import { guidEquals } from '../guid';
import { Guid, writeQuery } from '../schema';
import { decodeJson, withHandle } from './handles';

const GuidList = z.array(Guid);

/**
 * How often a call that answered "not found" for an object HNS still lists is tried before its error is
 * the answer. One HRESULT is not the truth about an object: the enumeration is asked again.
 */
const NOT_FOUND_ATTEMPTS = 3;

/** The IDs the enumeration lists for `filter`. */
export function enumerateIds(calls: HcnObjectCalls, kind: string, filter?: Record<string, unknown>): string[] {
  return decodeJson(`HcnEnumerate${kind}s`, calls.enumerate(writeQuery(filter ? { filter } : {})), GuidList);
}

/** Whether HNS still lists the object with this ID. */
export const isListed = (calls: HcnObjectCalls, kind: string, id: string): boolean =>
  enumerateIds(calls, kind, { ID: id }).some((listed) => guidEquals(listed, id));

/**
 * Every object matching `filter`, read with the same query (hcsshim passes the filter query to
 * Query*Properties too). An object deleted between the enumerate and the open is skipped: another
 * process may be tearing it down at the same moment, and "it is gone" is the truthful answer. But a
 * not-found from the open or the query alone does not say it is gone: it is skipped only when the
 * enumeration no longer lists it, and read again otherwise (an object made invisible by one failed
 * call would let a caller create a duplicate, or report success for a delete that did not happen).
 */
export function listObjects<S extends z.ZodType>(
  calls: HcnObjectCalls,
  kind: string,
  schema: S,
  filter?: Record<string, unknown>,
): z.infer<S>[] {
  const query = writeQuery(filter ? { filter } : {});
  const ids = decodeJson(`HcnEnumerate${kind}s`, calls.enumerate(query), GuidList);
  const found: z.infer<S>[] = [];
  const read = (id: string) =>
    withHandle(
      () => calls.open(id),
      (h) => calls.close(h),
      (h) => decodeJson(`HcnQuery${kind}Properties`, calls.query(h, query), schema),
    );
  for (const id of ids) {
    for (let attempt = 1; ; attempt++) {
      try {
        found.push(read(id));
        break;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        if (!isListed(calls, kind, id)) break;
        if (attempt >= NOT_FOUND_ATTEMPTS) throw e;
      }
    }
  }
  return found;
}

/**
 * Delete an object by ID and say whether this call deleted it. The outcome is decided from what HNS
 * lists afterwards, not from the delete's HRESULT alone: a delete whose answer was lost (any failure)
 * but whose object is gone did its work; a not-found for an object still listed is tried again; any
 * other failure with the object still there is the answer.
 */
export function removeObject(calls: HcnObjectCalls, kind: string, id: string): boolean {
  for (let attempt = 1; ; attempt++) {
    try {
      calls.delete(id);
      return true;
    } catch (e) {
      let listed: boolean;
      try {
        listed = isListed(calls, kind, id);
      } catch {
        throw e;
      }
      if (!listed) return !isNotFound(e);
      if (!isNotFound(e) || attempt >= NOT_FOUND_ATTEMPTS) throw e;
    }
  }
}

/** The default query hcsshim sends after create and modify. */
export const DEFAULT_QUERY = writeQuery();
