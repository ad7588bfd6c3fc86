/** Enumerate-then-open-each, as hcsshim's ListXQuery / GetXByName / GetXByID do (reference 1.5). */
import * as z from 'zod';
import type { HcnObjectCalls } from '../api';
import { isNotFound } from '../errors';
import { Guid, writeQuery } from '../schema';
import { decodeJson, withHandle } from './handles';

const GuidList = z.array(Guid);

/**
 * Every object matching `filter`, read with the same query (hcsshim passes the filter query to
 * Query*Properties too). An object deleted between the enumerate and the open is skipped: another
 * process may be tearing it down at the same moment, and "it is gone" is the truthful answer.
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
  for (const id of ids) {
    try {
      found.push(
        withHandle(
          () => calls.open(id),
          (h) => calls.close(h),
          (h) => decodeJson(`HcnQuery${kind}Properties`, calls.query(h, query), schema),
        ),
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return found;
}

/** The default query hcsshim sends after create and modify. */
export const DEFAULT_QUERY = writeQuery();
