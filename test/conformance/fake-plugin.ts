/**
 * A small CNI plugin written into a temp dir by the tests, correct by default and broken on purpose
 * by one defect: it proves the suite fails exactly where a plugin is wrong (and passes the control).
 * State: one file per attachment under the configuration's ipam.dataDir, which is what the generic
 * profile observes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEFECTS = [
  'none',
  'malformed-result',
  'accepts-any-version',
  'stderr-error',
  'stack-trace',
  'error-exit-0',
  'trailing-text',
  'del-not-idempotent',
] as const;

export type Defect = (typeof DEFECTS)[number];

const SOURCE = String.raw`#!/usr/bin/env node
'use strict';
const fs = require('fs');
const path = require('path');
const DEFECT = __DEFECT__;
const SUPPORTED = ['0.4.0', '1.0.0'];
const env = process.env;
let version = '1.0.0';

function fail(code, msg, details) {
  if (DEFECT === 'stack-trace') throw new Error(msg);
  const err = { cniVersion: version, code, msg };
  if (details !== undefined) err.details = details;
  if (DEFECT === 'stderr-error') { fs.writeSync(2, msg + '\n'); process.exit(1); }
  fs.writeSync(1, JSON.stringify(err));
  process.exit(DEFECT === 'error-exit-0' ? 0 : 1);
}

const cmd = env.CNI_COMMAND;
let input;
try { input = fs.readFileSync(0); } catch (e) { if (cmd !== 'VERSION') fail(5, 'error reading from stdin: ' + e.message); input = Buffer.alloc(0); }
if (cmd === 'VERSION') {
  let v = '1.0.0';
  try { const c = JSON.parse(input.toString()); if (typeof c.cniVersion === 'string' && c.cniVersion) v = c.cniVersion; } catch {}
  fs.writeSync(1, JSON.stringify({ cniVersion: v, supportedVersions: SUPPORTED }));
  process.exit(0);
}
if (!cmd) fail(4, 'required env variables [CNI_COMMAND] missing');
let conf;
try { conf = JSON.parse(input.toString('utf8')); } catch (e) { fail(6, 'error decoding network config: ' + e.message); }
if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) fail(6, 'network config is not a JSON object');
if (typeof conf.cniVersion === 'string' && SUPPORTED.includes(conf.cniVersion)) version = conf.cniVersion;
if (!conf.name) fail(7, 'missing network name');
if (typeof conf.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.\-]*$/.test(conf.name)) fail(7, 'invalid characters found in network name', String(conf.name));
const need = { ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'], CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'], DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'] }[cmd];
if (!need) fail(4, 'unknown CNI_COMMAND: ' + cmd);
const missing = need.filter((k) => !env[k]);
if (missing.length) fail(4, 'required env variables [' + missing.join(',') + '] missing');
if (!/^[A-Za-z0-9][A-Za-z0-9_.\-]*$/.test(env.CNI_CONTAINERID)) fail(4, 'invalid characters in containerID', env.CNI_CONTAINERID);
const ifname = env.CNI_IFNAME;
if (Buffer.byteLength(ifname) > 15 || ifname === '.' || ifname === '..' || /[\/:\s]/u.test(ifname)) fail(4, 'invalid interface name', ifname);
if (typeof conf.cniVersion !== 'string') fail(6, 'cniVersion is not a string');
if (DEFECT !== 'accepts-any-version' && !SUPPORTED.includes(conf.cniVersion)) fail(1, 'incompatible CNI versions', 'config is ' + conf.cniVersion);
if (cmd === 'CHECK' && conf.cniVersion === '0.3.1') fail(1, 'config version does not allow CHECK');
const dir = path.join(String((conf.ipam || {}).dataDir || '/tmp'), conf.name);
const file = path.join(dir, env.CNI_CONTAINERID + '_' + ifname);
if (cmd === 'DEL') {
  if (DEFECT === 'del-not-idempotent' && !fs.existsSync(file)) fail(999, 'no such attachment');
  fs.rmSync(file, { force: true });
  process.exit(0);
}
if (cmd === 'CHECK') { if (!fs.existsSync(file)) fail(999, 'attachment missing'); process.exit(0); }
if (fs.existsSync(file)) fail(999, 'attachment exists');
fs.mkdirSync(dir, { recursive: true });
const n = fs.readdirSync(dir).length + 2;
fs.writeFileSync(file, env.CNI_CONTAINERID + '\n' + ifname);
const address = '10.99.' + Math.floor(n / 250) + '.' + (n % 250 + 2) + (DEFECT === 'malformed-result' ? '' : '/16');
const ip = { address, gateway: '10.99.0.1' };
if (conf.cniVersion !== '1.0.0') ip.version = '4';
const result = { cniVersion: conf.cniVersion, ips: [ip], dns: {} };
fs.writeSync(1, JSON.stringify(result) + (DEFECT === 'trailing-text' ? '\nok' : ''));
`;

/** Writes the plugin as `<dir>/fake` (the config type the generic profile derives from the name). */
export function writeFakePlugin(dir: string, defect: Defect): string {
  const file = path.join(dir, 'fake');
  fs.writeFileSync(file, SOURCE.replace('__DEFECT__', JSON.stringify(defect)), { mode: 0o755 });
  return file;
}
