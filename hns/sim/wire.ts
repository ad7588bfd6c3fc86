/**
 * The sim wire protocol between the fake computenetwork library and `hns-sim serve`: a sequence of
 * fields `<n>:<n bytes>,` (n = decimal byte length, UTF-8), NULL as `-1:,`.
 * Request  = fn, argc, argc fields.  Response = HRESULT (signed decimal), outc, outc fields.
 */

export type Field = string | null;

export function encodeFields(fields: readonly Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f === null) {
      parts.push(Buffer.from('-1:,'));
    } else {
      const body = Buffer.from(f, 'utf8');
      parts.push(Buffer.from(`${body.length}:`), body, Buffer.from(','));
    }
  }
  return Buffer.concat(parts);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Decode every field in `buf`; throws WireError on anything malformed or truncated. */
export function decodeFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (i < buf.length) {
    const colon = buf.indexOf(0x3a, i);
    if (colon < 0) throw new WireError(`no ':' after offset ${i}`);
    const lenText = buf.subarray(i, colon).toString('latin1');
    if (lenText === '-1') {
      if (buf[colon + 1] !== 0x2c) throw new WireError(`NULL field at ${i} not followed by ','`);
      out.push(null);
      i = colon + 2;
      continue;
    }
    if (!/^(0|[1-9]\d{0,9})$/.test(lenText)) throw new WireError(`bad field length ${JSON.stringify(lenText)} at ${i}`);
    const len = Number(lenText);
    const end = colon + 1 + len;
    if (end >= buf.length) throw new WireError(`field at ${i} is truncated`);
    if (buf[end] !== 0x2c) throw new WireError(`field at ${i} not followed by ','`);
    const bytes = buf.subarray(colon + 1, end);
    try {
      out.push(UTF8.decode(bytes));
    } catch {
      throw new WireError(`field at ${i} is not UTF-8`);
    }
    i = end + 1;
  }
  return out;
}

const count = (f: Field | undefined, what: string): number => {
  if (f === null || f === undefined || !/^(0|[1-9]\d{0,5})$/.test(f))
    throw new WireError(`bad ${what} ${JSON.stringify(f)}`);
  return Number(f);
};

export type WireRequest = { fn: string; args: Field[] };
export type WireResponse = { hresult: number; outs: Field[] };

export function encodeRequest(r: WireRequest): Buffer {
  return encodeFields([r.fn, String(r.args.length), ...r.args]);
}

export function decodeRequest(buf: Buffer): WireRequest {
  const [fn, argc, ...args] = decodeFields(buf);
  if (typeof fn !== 'string' || fn === '') throw new WireError('missing function name');
  if (count(argc, 'argc') !== args.length) throw new WireError(`argc ${argc} but ${args.length} fields`);
  return { fn, args };
}

export function encodeResponse(r: WireResponse): Buffer {
  return encodeFields([String(r.hresult | 0), String(r.outs.length), ...r.outs]);
}

export function decodeResponse(buf: Buffer): WireResponse {
  const [hr, outc, ...outs] = decodeFields(buf);
  if (typeof hr !== 'string' || !/^-?\d{1,10}$/.test(hr)) throw new WireError(`bad HRESULT ${JSON.stringify(hr)}`);
  if (count(outc, 'outc') !== outs.length) throw new WireError(`outc ${outc} but ${outs.length} fields`);
  return { hresult: Number(hr) >>> 0, outs };
}
