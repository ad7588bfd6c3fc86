/** A small client of the sim wire protocol, as the fake computenetwork library speaks it (test only). */
import net from 'node:net';
import { type Field, type WireResponse, decodeResponse, encodeRequest } from '../../../hns/sim/wire';

/** One call: connect, write the request, shut the write side, read to EOF. */
export function wireCall(addr: string, fn: string, args: Field[]): Promise<WireResponse> {
  return rawCall(addr, encodeRequest({ fn, args })).then(decodeResponse);
}

export function rawCall(addr: string, request: Buffer): Promise<Buffer> {
  const [host = '127.0.0.1', port = '0'] = addr.split(/:(?=\d+$)/);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host, port: Number(port) }, () => s.end(request));
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}
