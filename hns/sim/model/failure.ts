/** How the model refuses a call: an HRESULT plus the detail HNS appends to its ErrorRecord text. */
import { HR, type HresultName } from '../../errors';
import { getKey } from '../../../spec/keys';
import type { z } from '../../../spec/zod';

export class SimFailure extends Error {
  override readonly name = 'SimFailure';
  constructor(
    readonly hresult: number,
    readonly detail?: string,
  ) {
    super(detail ?? `HRESULT 0x${hresult.toString(16)}`);
  }
}

export function fail(name: HresultName, detail?: string): never {
  throw new SimFailure(HR[name], detail);
}

/** A JSON document sent to HNS: anything but an object is HCN_E_INVALID_JSON. */
export function parseDocument(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('HCN_E_INVALID_JSON', (e as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return fail('HCN_E_INVALID_JSON', 'expected a JSON object');
  return doc as Record<string, unknown>;
}

/** Parse with a zod schema; a mismatch becomes `name` with zod's account of it. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, name: HresultName, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  return fail(name, `${what}: ${why}`);
}

export { getKey };
