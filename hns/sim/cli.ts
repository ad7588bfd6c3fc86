/**
 * hns-sim: drive the HNS simulator's state folder from the shell and tests.
 *   hns-sim --state DIR <command> ...   (see USAGE)
 */
import fs from 'node:fs';
import { isHnsError } from '../errors';
import { parseGuid } from '../guid';
import {
  addFault,
  callCounts,
  clearFaults,
  createNamespaceLikeContainerd,
  dumpState,
  listFaults,
  readState,
  removeEndpointLikeAnOperator,
  resetState,
  setSetting,
} from './admin';
import type { FaultSpec } from './faults';
import { startSimServer } from './server';

const USAGE = `usage: hns-sim --state DIR <command>

commands:
  namespace create [--id GUID]     create a namespace as containerd does; prints its ID
  endpoint delete ID               detach and delete an endpoint, as an operator's Remove-HnsEndpoint
  dump [--raw]                     the whole state as JSON (objects as HNS shows them; --raw: as stored)
  serve --listen HOST:PORT [--log FILE]
                                   serve the sim wire protocol; prints "listening HOST:PORT" when ready
                                   (port 0 picks a free port); stops on SIGTERM or SIGINT; --log appends
                                   one JSON line per HCN call to FILE
  fault add --fn NAME [--nth N] (--hresult HR [--error-record JSON] | --latency-ms MS | --hang) [--after]
                                   make the Nth next call of NAME (or every call) fail, wait or hang;
                                   --after lets the call take effect first; NAME may be '*'
  fault list | fault clear
  settings set KEY VALUE           e.g. settings set host ws2019 (ws2019, win10, ws2022, win11, ws2025)
                                   or settings set hnsVersion 15.1; VALUE is JSON or a bare word
  settings show
  calls                            call counts per export since the last reset
  reset [--all]                    forget every object, fault and count (--all: settings too)
  --help
`;

class UsageError extends Error {}

const out = (s: string) => fs.writeSync(1, s.endsWith('\n') ? s : s + '\n');

function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

function takeFlag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function noMore(args: string[]): void {
  if (args.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}`);
}

function parseNumber(v: string, what: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(v);
  if (!m || m[1] === undefined || m[2] === undefined || Number(m[2]) > 65535)
    throw new UsageError(`--listen wants HOST:PORT, got ${JSON.stringify(v)}`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
}

async function serve(dir: string, args: string[]): Promise<void> {
  const listen = parseListen(takeOption(args, '--listen') ?? '127.0.0.1:0');
  const logFile = takeOption(args, '--log');
  noMore(args);
  const server = await startSimServer(dir, listen, logFile === undefined ? {} : { logFile });
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  out(`listening ${host}:${server.port}`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function fault(dir: string, args: string[]): void {
  const sub = args.shift();
  if (sub === 'list') return void (noMore(args), out(JSON.stringify(listFaults(dir), null, 2)));
  if (sub === 'clear') return void (noMore(args), clearFaults(dir));
  if (sub !== 'add') throw new UsageError('fault add | list | clear');
  const fn = takeOption(args, '--fn');
  if (!fn) throw new UsageError('fault add needs --fn NAME');
  const spec: FaultSpec = { fn };
  const nth = takeOption(args, '--nth');
  if (nth !== undefined) spec.nth = parseNumber(nth, '--nth');
  const hr = takeOption(args, '--hresult');
  if (hr !== undefined) spec.hresult = parseNumber(hr, '--hresult') >>> 0;
  const record = takeOption(args, '--error-record');
  if (record !== undefined) spec.errorRecord = record;
  const latency = takeOption(args, '--latency-ms');
  if (latency !== undefined) spec.latencyMs = parseNumber(latency, '--latency-ms');
  spec.hang = takeFlag(args, '--hang');
  spec.after = takeFlag(args, '--after');
  noMore(args);
  if (hr === undefined && record === undefined && latency === undefined && !spec.hang) {
    throw new UsageError('fault add needs --hresult, --error-record, --latency-ms or --hang');
  }
  out(JSON.stringify(addFault(dir, spec)));
}

export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  if (args.length === 0 || takeFlag(args, '--help') || takeFlag(args, '-h')) {
    out(USAGE);
    return args.length === 0 && argv.length === 0 ? 2 : 0;
  }
  try {
    const dir = takeOption(args, '--state');
    if (!dir) throw new UsageError('--state DIR is required');
    const cmd = args.shift();
    switch (cmd) {
      case 'namespace': {
        if (args.shift() !== 'create') throw new UsageError('namespace create [--id GUID]');
        const id = takeOption(args, '--id');
        noMore(args);
        if (id !== undefined && !parseGuid(id)) throw new UsageError(`--id wants a GUID, got ${JSON.stringify(id)}`);
        out(createNamespaceLikeContainerd(dir, id === undefined ? undefined : parseGuid(id)));
        return 0;
      }
      case 'endpoint': {
        if (args.shift() !== 'delete' || args.length !== 1) throw new UsageError('endpoint delete ID');
        const id = parseGuid(args[0] ?? '');
        if (!id) throw new UsageError(`endpoint delete wants a GUID, got ${JSON.stringify(args[0])}`);
        if (!removeEndpointLikeAnOperator(dir, id)) throw new Error(`no endpoint ${id}`);
        return 0;
      }
      case 'dump': {
        const raw = takeFlag(args, '--raw');
        noMore(args);
        out(JSON.stringify(raw ? readState(dir) : dumpState(dir), null, 2));
        return 0;
      }
      case 'serve':
        await serve(dir, args);
        return 0;
      case 'fault':
        fault(dir, args);
        return 0;
      case 'settings': {
        const sub = args.shift();
        if (sub === 'show') {
          noMore(args);
          out(JSON.stringify(readState(dir).settings, null, 2));
          return 0;
        }
        if (sub !== 'set' || args.length !== 2) throw new UsageError('settings set KEY VALUE | settings show');
        const [key = '', value = ''] = args;
        out(JSON.stringify(setSetting(dir, key, value)));
        return 0;
      }
      case 'calls':
        noMore(args);
        out(JSON.stringify(callCounts(dir), null, 2));
        return 0;
      case 'reset': {
        const all = takeFlag(args, '--all');
        noMore(args);
        resetState(dir, !all);
        return 0;
      }
      default:
        throw new UsageError(cmd === undefined ? 'a command is required' : `unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      fs.writeSync(2, `hns-sim: ${e.message}\n${USAGE}`);
      return 2;
    }
    fs.writeSync(2, `hns-sim: ${isHnsError(e) ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
