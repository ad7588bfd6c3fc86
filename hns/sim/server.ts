/**
 * The loopback server of `hns-sim serve`: the fake computenetwork library forwards every call to
 * it over TCP, one connection per call (see hns/sim/wire.ts). Handles live in this process's table.
 */
import net from 'node:net';
import { HR } from '../errors';
import { type SimCoreOptions, createSimCore } from './core';
import { WireError, decodeRequest, encodeResponse } from './wire';

export type SimServer = { host: string; port: number; close(): Promise<void> };

/** Bodies larger than this are not HCN documents [I]; the connection is refused. */
const MAX_REQUEST = 16 * 1024 * 1024;

export function startSimServer(
  stateDir: string,
  listen: { host: string; port: number },
  options: SimCoreOptions = {},
): Promise<SimServer> {
  const core = createSimCore(stateDir, options);
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('data', (d) => {
      size += d.length;
      if (size > MAX_REQUEST) socket.destroy();
      else chunks.push(d);
    });
    socket.on('end', () => {
      let reply: Buffer;
      try {
        const req = decodeRequest(Buffer.concat(chunks));
        if (req.fn === 'SimPing') {
          reply = encodeResponse({ hresult: 0, outs: [] });
        } else {
          const r = core.invoke(req.fn, req.args);
          // A hung call never answers; the client sees nothing until it or the server dies.
          if (r.hang) return;
          reply = encodeResponse(r);
        }
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        reply = encodeResponse({ hresult: HR.E_INVALIDARG, outs: [] });
      }
      socket.end(reply);
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: addr.address,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
