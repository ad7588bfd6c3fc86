/**
 * Fault injection, stored with the state: make the Nth call of an export fail with an HRESULT (and
 * ErrorRecord), delay calls, or hang one until the process is killed.
 */
import * as z from '../../spec/zod';

export const Fault = z.object({
  id: z.number().int().positive(),
  /** Export name (HcnCreateEndpoint, HNSCall, ...) or `*` for every call. */
  fn: z.string().min(1),
  /**
   * The call count of `fn` at which the fault fires once (counted from when it was added: nth 1 is
   * the next call). Absent: every call.
   */
  at: z.number().int().positive().optional(),
  hresult: z.number().int().min(0).max(0xffffffff).optional(),
  /** ErrorRecord text; default: HNS's record for the HRESULT. With hresult 0: S_OK plus this record. */
  errorRecord: z.string().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  hang: z.boolean().optional(),
  /** Let the call take effect, then fail (or hang) anyway, as if the answer were lost. */
  after: z.boolean().optional(),
  fired: z.number().int().nonnegative().default(0),
});
export type Fault = z.infer<typeof Fault>;

export type FaultSpec = {
  fn: string;
  nth?: number;
  hresult?: number;
  errorRecord?: string;
  latencyMs?: number;
  hang?: boolean;
  after?: boolean;
};

export function makeFault(spec: FaultSpec, existing: readonly Fault[], calls: Readonly<Record<string, number>>): Fault {
  if (spec.hresult === undefined && spec.latencyMs === undefined && !spec.hang && spec.errorRecord === undefined) {
    throw new Error('a fault needs --hresult, --error-record, --latency-ms or --hang');
  }
  if (spec.nth !== undefined && (!Number.isInteger(spec.nth) || spec.nth < 1))
    throw new Error('--nth must be 1 or more');
  const id = existing.reduce((m, f) => Math.max(m, f.id), 0) + 1;
  const base = spec.fn === '*' ? Object.values(calls).reduce((a, b) => a + b, 0) : (calls[spec.fn] ?? 0);
  return Fault.parse({
    id,
    fn: spec.fn,
    at: spec.nth === undefined ? undefined : base + spec.nth,
    hresult: spec.hresult === undefined ? undefined : spec.hresult >>> 0,
    errorRecord: spec.errorRecord,
    latencyMs: spec.latencyMs,
    hang: spec.hang || undefined,
    after: spec.after || undefined,
  });
}

/** The faults that fire on this call; `count` is the call's number for its fn, `total` over all fns. */
export function firingFaults(faults: Fault[], fn: string, count: number, total: number): Fault[] {
  return faults.filter((f) => {
    if (f.fn !== fn && f.fn !== '*') return false;
    if (f.at === undefined) return true;
    return f.at === (f.fn === '*' ? total : count);
  });
}
