/**
 * Canonical results after the CNI spec's own examples (SPEC.md "Success"): one 1.0.0 result and
 * what libcni 1.1.2's converters make of it for every version. The 1.1.0 forms follow libcni ≥ 1.2
 * (`types100.Result.MarshalJSON`: keys sorted at every depth, empty `dns` left out) and are derived
 * by us from its source, not printed by it.
 */
import type { CniVersion } from '../../../spec/versions';

const NS = '6f1c9a2e-0d4b-4b8e-9c3f-2a7d5e8b1c40';
const DNS = {
  nameservers: ['172.20.0.1'],
  domain: 'example.internal',
  search: ['svc.example.internal'],
  options: ['ndots:5'],
};

/** Key order matters: the strings below are compared byte for byte with JSON.stringify. */
export const CANONICAL_100 = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'cni-nat0', mac: '00:15:5d:aa:bb:01' },
    { name: 'eth0', mac: '00:15:5d:aa:bb:02', sandbox: NS },
  ],
  ips: [
    { interface: 1, address: '172.20.0.5/16', gateway: '172.20.0.1' },
    { interface: 1, address: 'fd00:20::5/64', gateway: 'fd00:20::1' },
    { interface: 1, address: '172.21.0.9/16' },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }, { dst: '::/0' }],
  dns: DNS,
};

const with040 = (v: string) => ({
  ...CANONICAL_100,
  cniVersion: v,
  ips: [
    { version: '4', interface: 1, address: '172.20.0.5/16', gateway: '172.20.0.1' },
    { version: '6', interface: 1, address: 'fd00:20::5/64', gateway: 'fd00:20::1' },
    { version: '4', interface: 1, address: '172.21.0.9/16' },
  ],
});

const legacy = (v: string) => ({
  cniVersion: v,
  ip4: { ip: '172.20.0.5/16', gateway: '172.20.0.1', routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }] },
  ip6: { ip: 'fd00:20::5/64', gateway: 'fd00:20::1', routes: [{ dst: '::/0' }] },
  dns: DNS,
});

const sorted110 = {
  cniVersion: '1.1.0',
  dns: {
    domain: 'example.internal',
    nameservers: ['172.20.0.1'],
    options: ['ndots:5'],
    search: ['svc.example.internal'],
  },
  interfaces: [
    { mac: '00:15:5d:aa:bb:01', name: 'cni-nat0' },
    { mac: '00:15:5d:aa:bb:02', name: 'eth0', sandbox: NS },
  ],
  ips: [
    { address: '172.20.0.5/16', gateway: '172.20.0.1', interface: 1 },
    { address: 'fd00:20::5/64', gateway: 'fd00:20::1', interface: 1 },
    { address: '172.21.0.9/16', interface: 1 },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }, { dst: '::/0' }],
};

export const CANONICAL_BY_VERSION: Record<CniVersion, Record<string, unknown>> = {
  '0.1.0': legacy('0.1.0'),
  '0.2.0': legacy('0.2.0'),
  '0.3.0': with040('0.3.0'),
  '0.3.1': with040('0.3.1'),
  '0.4.0': with040('0.4.0'),
  '1.0.0': CANONICAL_100,
  '1.1.0': sorted110,
};

/** The spec's 1.1.0 example result (SPEC.md "Success"), with the fields only 1.1.0 has. */
export const EXAMPLE_110 = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'eth0', mac: '00:15:5d:aa:bb:02', mtu: 1450, sandbox: NS }],
  ips: [{ interface: 0, address: '172.20.0.5/16', gateway: '172.20.0.1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1', mtu: 1450, priority: 10, table: 254, scope: 0 }],
  dns: {},
};

const example040 = (v: string) => ({
  cniVersion: v,
  interfaces: [{ name: 'eth0', mac: '00:15:5d:aa:bb:02', sandbox: NS }],
  ips: [{ version: '4', interface: 0, address: '172.20.0.5/16', gateway: '172.20.0.1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }],
  dns: {},
});

const example020 = (v: string) => ({
  cniVersion: v,
  ip4: { ip: '172.20.0.5/16', gateway: '172.20.0.1', routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }] },
  dns: {},
});

/** EXAMPLE_110 as each version prints it. */
export const EXAMPLE_110_BY_VERSION: Record<CniVersion, Record<string, unknown>> = {
  '0.1.0': example020('0.1.0'),
  '0.2.0': example020('0.2.0'),
  '0.3.0': example040('0.3.0'),
  '0.3.1': example040('0.3.1'),
  '0.4.0': example040('0.4.0'),
  '1.0.0': {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', mac: '00:15:5d:aa:bb:02', sandbox: NS }],
    ips: [{ interface: 0, address: '172.20.0.5/16', gateway: '172.20.0.1' }],
    routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1' }],
    dns: {},
  },
  '1.1.0': {
    cniVersion: '1.1.0',
    interfaces: [{ mac: '00:15:5d:aa:bb:02', mtu: 1450, name: 'eth0', sandbox: NS }],
    ips: [{ address: '172.20.0.5/16', gateway: '172.20.0.1', interface: 0 }],
    routes: [{ dst: '0.0.0.0/0', gw: '172.20.0.1', mtu: 1450, priority: 10, scope: 0, table: 254 }],
  },
};
