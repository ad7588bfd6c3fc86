/**
 * Simulator behaviours held to what independent, public code and output expect of HNS. Each test
 * names its source: the hcsshim file and function, the issue, or the documented output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HR, HnsError } from '../../../hns/errors';
import { ZERO_GUID } from '../../../hns/guid';
import { writeNetworkRequest, writeQuery } from '../../../hns/schema';
import { setSetting, updateSettings } from '../../../hns/sim/admin';
import { createSimApi } from '../../../hns/sim/api';
import { HOST_PROFILES, type HostProfile } from '../../../hns/sim/settings';
import type { RequestLogLine } from '../../../hns/sim/request-log';
import { bundle } from './bundle';
import {
  NAT_NETWORK,
  createEndpoint,
  createNamespace,
  createNetwork,
  enumerate,
  freshSim,
  getNamespace,
  tempStateDir,
} from './helpers';
import { wireCall } from './wire-client';

function failure(fn: () => unknown): HnsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HnsError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const subnetNetwork = (name: string, prefix: string, gateway: string) =>
  writeNetworkRequest({
    Name: name,
    Type: 'NAT',
    Ipams: [
      {
        Type: 'Static',
        Subnets: [
          { IpAddressPrefix: prefix, Flags: 0, Routes: [{ NextHop: gateway, DestinationPrefix: '0.0.0.0/0' }] },
        ],
      },
    ],
  });

describe('namespaces of every Type, as hcsshim creates them', () => {
  // hcsshim hcn/hcnutils_test.go HcnCreateTestNamespace and hcn/hcnnamespace_test.go TestSyncNamespaceHostDefault:
  // Type HostDefault, NamespaceId 5, SchemaVersion 2.0; Create, then Delete, both expected to succeed,
  // on a host that already has its default namespace.
  const HCSSHIM_TEST_NAMESPACE = '{"NamespaceId":5,"Type":"HostDefault","SchemaVersion":{"Major":2,"Minor":0}}';

  it('creates and deletes HostDefault namespaces next to the host default one (hcsshim HcnCreateTestNamespace)', () => {
    const { api } = freshSim();
    const first = createNamespace(api, HCSSHIM_TEST_NAMESPACE);
    // cmd/ncproxy/hcn_networking_test.go TestAddEndpoint_Error_NoEndpoint creates one more in the same run.
    const second = createNamespace(api, '{"Type":"HostDefault","SchemaVersion":{"Major":2,"Minor":0}}');
    expect(getNamespace(api, first)).toMatchObject({ NamespaceId: 5, Type: 'HostDefault' });
    expect(enumerate(api.namespace)).toHaveLength(3);
    api.namespace.delete(first);
    api.namespace.delete(second);
    expect(enumerate(api.namespace)).toHaveLength(1);
  });

  it('creates and deletes GuestDefault namespaces (hcsshim hcn/hcnnamespace_test.go TestSyncNamespaceGuestDefault)', () => {
    const { api } = freshSim();
    const a = createNamespace(api, '{"NamespaceId":5,"Type":"GuestDefault","SchemaVersion":{"Major":2,"Minor":0}}');
    const b = createNamespace(api, '{"Type":"GuestDefault","SchemaVersion":{"Major":2,"Minor":0}}');
    expect(getNamespace(api, a)).toMatchObject({ Type: 'GuestDefault' });
    api.namespace.delete(a);
    api.namespace.delete(b);
  });

  it('keeps only the host default compartment special: it cannot be deleted (Get-HnsNamespace IsDefault True, projectcalico/calico#8465)', () => {
    const { api } = freshSim();
    const [hostDefault] = enumerate(api.namespace);
    expect(getNamespace(api, hostDefault ?? '')).toMatchObject({ NamespaceId: 1, Type: 'HostDefault' });
    const e = failure(() => api.namespace.delete(hostDefault ?? ''));
    expect(e.hresult).toBe(HR.E_ACCESSDENIED);
    // 0x803B0029 is GCN_E_DEFAULTNAMESPACE_EXISTS, a guest (GCN) code: the host never answers a create with it.
    createNamespace(api, HCSSHIM_TEST_NAMESPACE);
  });

  it('refuses that delete by an inferred, named setting (deleteHostDefaultNamespace)', () => {
    const { api, dir } = freshSim();
    const [hostDefault = ''] = enumerate(api.namespace);
    updateSettings(dir, { deleteHostDefaultNamespace: 'allow' });
    api.namespace.delete(hostDefault);
    expect(enumerate(api.namespace, { ID: hostDefault })).toEqual([]);
  });
});

describe('subnets whose prefix has host bits set', () => {
  it('refuses them with HCN_E_INVALID_NETWORK (observed: microsoft/containers-toolkit#24, 172.22.16.0/16; cause inferred)', () => {
    const { api } = freshSim();
    // The observed request: gateway 172.22.16.1, subnet 172.22.16.0/16, answered 2151350282 = 0x803B000A.
    const observed = failure(() =>
      api.network.create(ZERO_GUID, subnetNetwork('nat', '172.22.16.0/16', '172.22.16.1')),
    );
    expect(observed.hresult).toBe(0x803b000a);
    expect(observed.hresult).toBe(HR.HCN_E_INVALID_NETWORK);
    expect(
      failure(() => api.network.create(ZERO_GUID, subnetNetwork('nat', '172.20.48.0/12', '172.20.48.1'))).hresult,
    ).toBe(HR.HCN_E_INVALID_NETWORK);
    // Nothing was created; the same network with the prefix written canonically is accepted.
    expect(enumerate(api.network)).toEqual([]);
    const h = api.network.create(ZERO_GUID, subnetNetwork('nat', '172.16.0.0/12', '172.20.48.1'));
    api.network.close(h);
  });

  it('is a named setting, since the cause is inferred: subnetHostBits allow accepts them', () => {
    const { api } = freshSim({ subnetHostBits: 'allow' });
    api.network.close(api.network.create(ZERO_GUID, subnetNetwork('nat', '172.22.16.0/16', '172.22.16.1')));
  });
});

describe('host profiles: the HNS version of each Windows release and the features it gates', () => {
  /** What hcsshim hcn/hcnglobals.go's version ranges say each version supports. */
  const expected: Record<HostProfile, { ipv6: boolean; dsr: boolean; tierAcl: boolean; networkAcl: boolean }> = {
    ws2019: { ipv6: false, dsr: true, tierAcl: false, networkAcl: false }, // 9.5
    win10: { ipv6: true, dsr: true, tierAcl: false, networkAcl: false }, // 11.10
    ws2022: { ipv6: true, dsr: true, tierAcl: false, networkAcl: false }, // 13.3
    win11: { ipv6: true, dsr: true, tierAcl: true, networkAcl: true }, // 15.0
    ws2025: { ipv6: true, dsr: true, tierAcl: true, networkAcl: true }, // 15.0
  };

  it('names the versions the public sources show', () => {
    // ws2019 9.5: kubernetes/kubernetes#137530 (`version="{9 5}`); win10 11.10: microsoft/hcsshim#1003
    // (`hcn.Version={11 10}` on 19041); ws2022 13.3: moby/moby#43479 (Version 55834574851 on GitHub's
    // windows-2022 runner); win11 15.0: microsoft/Windows-Containers#563 (Version 64424509440).
    expect(HOST_PROFILES).toEqual({ ws2019: '9.5', win10: '11.10', ws2022: '13.3', win11: '15.0', ws2025: '15.0' });
    expect(55834574851).toBe(13 * 2 ** 32 + 3);
    expect(64424509440).toBe(15 * 2 ** 32);
  });

  it.each(Object.keys(expected) as HostProfile[])(
    '%s answers GET /globals/version and gates features as that host would',
    (host) => {
      const { api, dir } = freshSim();
      const settings = setSetting(dir, 'host', host);
      expect(settings).toMatchObject({ host, hnsVersion: HOST_PROFILES[host] });
      const [major, minor] = HOST_PROFILES[host].split('.').map(Number);
      expect(JSON.parse(api.hnsCall('GET', '/globals/version', ''))).toEqual({
        Success: true,
        Output: { Major: major, Minor: minor },
      });
      const net = createNetwork(api);
      expect(net.Version).toBe((major ?? 0) * 2 ** 32 + (minor ?? 0));
      const want = expected[host];
      const ok = (fn: () => unknown): boolean => {
        try {
          fn();
          return true;
        } catch (e) {
          if (e instanceof HnsError) return false;
          throw e;
        }
      };
      // IPv6DualStackVersion >= 11.10: an IPv6 port mapping (NatFlags IPv6 = 2).
      expect(
        ok(() =>
          createEndpoint(api, net.ID, {
            Name: 'v6',
            Policies: [
              { Type: 'PortMapping', Settings: { Protocol: 6, InternalPort: 80, ExternalPort: 8080, Flags: 2 } },
            ],
          }),
        ),
      ).toBe(want.ipv6);
      // DSRVersion 9.3-9.max, >= 10.2: the loopback-DSR OutBoundNAT form.
      expect(
        ok(() =>
          createEndpoint(api, net.ID, {
            Name: 'dsr',
            Policies: [{ Type: 'OutBoundNAT', Settings: { Destinations: ['192.168.100.9'] } }],
          }),
        ),
      ).toBe(want.dsr);
      // TierAclPolicyVersion >= 14.0.
      expect(
        ok(() =>
          createEndpoint(api, net.ID, {
            Name: 'tier',
            Policies: [{ Type: 'TierAcl', Settings: { Name: 't', Direction: 'In', Order: 1, TierAclRules: [] } }],
          }),
        ),
      ).toBe(want.tierAcl);
      // NetworkACLPolicyVersion >= 15.0.
      expect(
        ok(() =>
          createNetwork(api, { Name: 'acl', Type: 'L2Bridge', Policies: [{ Type: 'NetworkACL', Settings: {} }] }),
        ),
      ).toBe(want.networkAcl);
      // HNSVersion1803 (ACL) >= 7.2 on every release that runs containerd.
      expect(
        ok(() =>
          createEndpoint(api, net.ID, {
            Name: 'acl',
            Policies: [
              {
                Type: 'ACL',
                Settings: { Protocols: '6', Action: 'Allow', Direction: 'In', LocalPorts: '80', Priority: 1000 },
              },
            ],
          }),
        ),
      ).toBe(true);
    },
  );

  it('keeps hnsVersion settable by hand: the host becomes custom', () => {
    const { dir } = freshSim();
    expect(setSetting(dir, 'hnsVersion', '10.1')).toMatchObject({ host: 'custom', hnsVersion: '10.1' });
    expect(setSetting(dir, 'host', 'win11')).toMatchObject({ host: 'win11', hnsVersion: '15.0' });
    expect(() => setSetting(dir, 'host', 'ws2016')).toThrow(/invalid value for host/);
  });
});

describe('HNSCall v1 paths', () => {
  it('answers the paths it does not model with S_OK and Success:false, as HNS refuses (hcsshim internal/hns/hnsfuncs.go hnsCall)', () => {
    const { api } = freshSim();
    for (const [method, p] of [
      ['GET', '/networks/'],
      ['GET', '/endpoints/'],
      ['POST', '/namespaces/'],
      ['GET', '/policylists/'],
    ] as const) {
      const r = JSON.parse(api.hnsCall(method, p, '')) as { Success: boolean; Error: string };
      expect(r.Success).toBe(false);
      expect(r.Error).toContain(`HNSCall ${method} ${p} is not simulated`);
    }
    expect(JSON.parse(api.hnsCall('GET', '/nothing', '')).Error).toMatch(/no HNS v1 path/);
  });
});

describe('the request log', () => {
  const readLog = (file: string): RequestLogLine[] =>
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestLogLine);

  it('the in-process backend writes one JSON line per call when the requestLog setting names a file', () => {
    const dir = tempStateDir();
    const log = path.join(dir, 'requests.jsonl');
    updateSettings(dir, { requestLog: log, recordCalls: true });
    const api = createSimApi(dir);
    const net = createNetwork(api);
    failure(() => api.network.create(ZERO_GUID, writeNetworkRequest(NAT_NETWORK)));
    const lines = readLog(log);
    expect(lines.map((l) => l.fn)).toEqual([
      'HcnCreateNetwork',
      'HcnQueryNetworkProperties',
      'HcnCloseNetwork',
      'HcnCreateNetwork',
    ]);
    const [created, queried, , refused] = lines;
    expect(created?.args[0]).toEqual({ kind: 'guid', value: ZERO_GUID });
    expect(created?.args[1]?.document).toMatchObject({ Name: 'natNetwork' });
    expect(created).toMatchObject({ hresult: '0x00000000', hresultName: 'S_OK' });
    expect(queried?.outs[0]?.document).toEqual(net);
    expect(refused).toMatchObject({ hresult: '0x803B0010', hresultName: 'HCN_E_NETWORK_ALREADY_EXISTS' });
    expect(refused?.outs[1]?.document).toMatchObject({ Success: false, ErrorCode: 0x803b0010 });
    // The counters the fault-matrix tests read are kept as before.
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json', 'meta.json'), 'utf8')) as {
      calls: Record<string, number>;
      callLog: unknown[];
    };
    expect(state.calls).toMatchObject({ HcnCreateNetwork: 2, HcnQueryNetworkProperties: 1 });
    expect(state.callLog).toHaveLength(4);
  });

  let serve: ChildProcess | undefined;
  afterAll(() => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  });

  it('`hns-sim serve --log FILE` writes one line per wire call', async () => {
    const dir = tempStateDir();
    const log = path.join(dir, 'serve.jsonl');
    serve = spawn(process.execPath, [
      bundle('hns/sim/cli.ts', 'hns-sim'),
      '--state',
      dir,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--log',
      log,
    ]);
    const addr = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve?.stdout?.on('data', (d) => {
        out += d;
        const m = /listening (\S+)\n/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      serve?.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    await wireCall(addr, 'HNSCall', ['GET', '/globals/version', '']);
    await wireCall(addr, 'HcnEnumerateNetworks', [writeQuery()]);
    await wireCall(addr, 'HcnOpenNamespace', [ZERO_GUID]);
    const lines = readLog(log);
    expect(lines.map((l) => [l.fn, l.hresultName])).toEqual([
      ['HNSCall', 'S_OK'],
      ['HcnEnumerateNetworks', 'S_OK'],
      ['HcnOpenNamespace', 'ERROR_NOT_FOUND'],
    ]);
    expect(lines[0]?.outs[0]?.document).toEqual({ Success: true, Output: { Major: 13, Minor: 3 } });
    expect(lines[1]?.outs[0]?.document).toEqual([]);
    expect(lines[2]?.outs[1]?.document).toMatchObject({ ErrorCode: 0x80070490 });
  });
});

describe('PortMapping policies are per address family (hcsshim hcn/hcnpolicy.go NatFlags)', () => {
  // hcsshim hcn/hcnpolicy.go: `NatFlagsNone NatFlags = iota; NatFlagsLocalRoutedVip; NatFlagsIPv6`, so IPv6 is 2,
  // and PortMappingPolicySetting{Protocol, InternalPort, ExternalPort, VIP, Flags}.
  const pm = (ExternalPort: number, extra: Record<string, unknown> = {}) => ({
    Type: 'PortMapping' as const,
    Settings: { Protocol: 6, InternalPort: 80, ExternalPort, ...extra },
  });
  const dualStack = () =>
    writeNetworkRequest({
      Name: 'dual',
      Type: 'NAT',
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            {
              IpAddressPrefix: '172.30.0.0/24',
              Flags: 0,
              Routes: [{ NextHop: '172.30.0.1', DestinationPrefix: '0.0.0.0/0' }],
            },
            {
              IpAddressPrefix: 'fd00:30::/64',
              Flags: 0,
              Routes: [{ NextHop: 'fd00:30::1', DestinationPrefix: '::/0' }],
            },
          ],
        },
      ],
    });

  it('one endpoint takes an IPv4 and an IPv6 mapping of the same host port (microsoft/windows-container-networking#104)', () => {
    // The Go nat plugin's dual-stack fix, validated on Windows hosts (its PR text): the IPv4 policy, then a
    // second one without VIP and with NatFlagsIPv6 for the same port, on one endpoint.
    const { api } = freshSim();
    const h = api.network.create(ZERO_GUID, dualStack());
    const net = JSON.parse(api.network.query(h, writeQuery())) as { ID: string };
    api.network.close(h);
    const ep = createEndpoint(api, net.ID, { Name: 'a', Policies: [pm(8080), pm(8080, { Flags: 2 })] }) as {
      Policies: unknown[];
    };
    expect(ep.Policies).toHaveLength(2);
    // Another endpoint's mapping of that port clashes in each family [I: a host port is one listener per family].
    for (const flags of [0, 2]) {
      expect(
        failure(() => createEndpoint(api, net.ID, { Name: `b${flags}`, Policies: [pm(8080, { Flags: flags })] }))
          .hresult,
      ).toBe(HR.HCN_E_PORT_ALREADY_EXISTS);
    }
    // A VIP of the other family than the flag says cannot be programmed [I].
    expect(
      failure(() => createEndpoint(api, net.ID, { Name: 'c', Policies: [pm(9090, { VIP: '172.30.0.9', Flags: 2 })] }))
        .hresult,
    ).toBe(HR.HCN_E_INVALID_POLICY);
  });

  it('NatFlagsIPv6 needs the dual-stack HNS (hcsshim hcn/hcnglobals.go IPv6DualStackVersion 11.10)', () => {
    const { api } = freshSim({ hnsVersion: '10.3' });
    const net = createNetwork(api) as { ID: string };
    expect(failure(() => createEndpoint(api, net.ID, { Name: 'a', Policies: [pm(8080, { Flags: 2 })] })).hresult).toBe(
      HR.HCN_E_INVALID_POLICY,
    );
  });
});
