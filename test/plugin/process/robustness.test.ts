/**
 * What a runtime relies on when things go wrong: port conflicts, repeated ADD, DEL of what is gone,
 * CHECK catching drift, rollback after an HNS failure at each step of ADD, and many plugin processes
 * at once on one network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimApi } from '../../../hns/sim/api';
import { deleteEndpoint, detachEndpoint, findEndpointByName } from '../../../hns/client';
import { SimHost, buildPluginAndSim, natConfig, type SimDump } from './harness';

beforeAll(() => buildPluginAndSim(), 120_000);

const V = '1.0.0';
const withMapping = (hostPort: number) =>
  natConfig(V, { runtimeConfig: { portMappings: [{ hostPort, containerPort: 80, protocol: 'tcp' }] } });

describe('ADD', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it('reports a host port that is already mapped, naming the port and its holder, and leaves nothing behind', () => {
    const first = host.run({
      command: 'ADD',
      containerId: 'web1',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config: withMapping(9090),
    });
    expect(first.code).toBe(0);
    const before = host.dump().endpoints.length;
    const second = host.run({
      command: 'ADD',
      containerId: 'web2',
      netns: host.createNamespace(),
      ifName: 'eth0',
      config: withMapping(9090),
    });
    expect(second.code).toBe(1);
    expect(second.json?.code).toBe(101);
    expect(String(second.json?.msg)).toContain('9090/tcp');
    expect(String(second.json?.msg)).toContain('web1_nat');
    expect(host.dump().endpoints.length).toBe(before);
  });

  it('answers a repeated ADD with the same attachment, and repairs a lost namespace attachment', () => {
    const netns = host.createNamespace();
    const config = natConfig(V);
    const a = host.run({ command: 'ADD', containerId: 'again', netns, ifName: 'eth0', config });
    const b = host.run({ command: 'ADD', containerId: 'again', netns, ifName: 'eth0', config });
    expect(b.code).toBe(0);
    expect(b.json).toEqual(a.json);
    expect(host.dump().endpoints.filter((e) => e.Name === 'again_nat')).toHaveLength(1);

    const api = createSimApi(host.stateDir);
    const ep = findEndpointByName(api, 'again_nat');
    detachEndpoint(api, netns, ep?.ID as string);
    api.dispose();
    const c = host.run({ command: 'ADD', containerId: 'again', netns, ifName: 'eth0', config });
    expect(c.code).toBe(0);
    expect(
      host
        .dump()
        .endpoints.find((e) => e.Name === 'again_nat')
        ?.HostComputeNamespace?.toLowerCase(),
    ).toBe(netns.toLowerCase());
  });

  it('refuses a namespace that does not exist with code 3, creating nothing', () => {
    const before = host.dump().endpoints.length;
    const a = host.run({
      command: 'ADD',
      containerId: 'ghost',
      netns: '6f1c9a2e-0d4b-4b8e-9c3f-2a7d5e8b1c40',
      ifName: 'eth0',
      config: natConfig(V),
    });
    expect(a.json?.code).toBe(3);
    expect(host.dump().endpoints.length).toBe(before);
  });

  it('refuses an invalid config with code 7 naming the field, before touching HNS', () => {
    const fresh = new SimHost();
    try {
      const a = fresh.run({
        command: 'ADD',
        containerId: 'bad',
        netns: fresh.createNamespace(),
        ifName: 'eth0',
        config: withMapping(70000),
      });
      expect(a.json?.code).toBe(7);
      expect(String(a.json?.msg)).toContain('hostPort');
      expect(fresh.dump().networks).toEqual([]);
    } finally {
      fresh.remove();
    }
  });
});

describe('DEL', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  it('succeeds for a container that was never added, with or without CNI_NETNS', () => {
    expect(
      host.run({
        command: 'DEL',
        containerId: 'never',
        netns: host.createNamespace(),
        ifName: 'eth0',
        config: natConfig(V),
      }).code,
    ).toBe(0);
    expect(host.run({ command: 'DEL', containerId: 'never', ifName: 'eth0', config: natConfig(V) }).code).toBe(0);
  });

  it('is idempotent, and succeeds when the namespace is already gone', () => {
    const netns = host.createNamespace();
    expect(host.run({ command: 'ADD', containerId: 'twice', netns, ifName: 'eth0', config: natConfig(V) }).code).toBe(
      0,
    );
    const api = createSimApi(host.stateDir);
    api.namespace.delete(netns);
    api.dispose();
    expect(host.run({ command: 'DEL', containerId: 'twice', netns, ifName: 'eth0', config: natConfig(V) }).code).toBe(
      0,
    );
    expect(host.run({ command: 'DEL', containerId: 'twice', netns, ifName: 'eth0', config: natConfig(V) }).code).toBe(
      0,
    );
    expect(host.dump().endpoints.find((e) => e.Name === 'twice_nat')).toBeUndefined();
  });

  it('deletes with a config ADD would refuse, as long as it names the network', () => {
    const netns = host.createNamespace();
    expect(host.run({ command: 'ADD', containerId: 'lax', netns, ifName: 'eth0', config: natConfig(V) }).code).toBe(0);
    const broken = { ...withMapping(0), ipam: { subnet: 'not-a-cidr' } };
    expect(host.run({ command: 'DEL', containerId: 'lax', netns, ifName: 'eth0', config: broken }).code).toBe(0);
    expect(host.dump().endpoints.find((e) => e.Name === 'lax_nat')).toBeUndefined();
  });
});

describe('CHECK catches drift', () => {
  const host = new SimHost();
  afterAll(() => host.remove());

  const setUp = (id: string) => {
    const netns = host.createNamespace();
    const config = natConfig(V);
    const add = host.run({ command: 'ADD', containerId: id, netns, ifName: 'eth0', config });
    expect(add.code).toBe(0);
    const check = () =>
      host.run({
        command: 'CHECK',
        containerId: id,
        netns,
        ifName: 'eth0',
        config: { ...config, prevResult: add.json },
      });
    expect(check().code).toBe(0);
    return { netns, check, result: add.json as { ips: Array<{ address: string }> } };
  };

  it('an endpoint deleted behind its back', () => {
    const { check } = setUp('gone');
    const api = createSimApi(host.stateDir);
    deleteEndpoint(api, findEndpointByName(api, 'gone_nat')?.ID as string);
    api.dispose();
    const a = check();
    expect(a.json?.code).toBe(102);
    expect(String(a.json?.msg)).toMatch(/no longer exists/);
  });

  it('an endpoint detached from its namespace', () => {
    const { check, netns } = setUp('detached');
    const api = createSimApi(host.stateDir);
    detachEndpoint(api, netns, findEndpointByName(api, 'detached_nat')?.ID as string);
    api.dispose();
    const a = check();
    expect(a.json?.code).toBe(102);
    expect(String(a.json?.msg)).toMatch(/not attached/);
  });

  it('an IP that differs from the one ADD reported', () => {
    const netns = host.createNamespace();
    const config = natConfig(V);
    const add = host.run({ command: 'ADD', containerId: 'moved', netns, ifName: 'eth0', config });
    const prev = structuredClone(add.json) as { ips: Array<{ address: string }> };
    prev.ips[0] = { ...prev.ips[0], address: '172.20.99.99/16' };
    const a = host.run({
      command: 'CHECK',
      containerId: 'moved',
      netns,
      ifName: 'eth0',
      config: { ...config, prevResult: prev },
    });
    expect(a.json?.code).toBe(102);
    expect(String(a.json?.msg)).toContain('172.20.99.99');
  });
});

/** The dump without what changes on every call (call counters, faults). */
const objects = (d: SimDump) => ({ networks: d.networks, endpoints: d.endpoints, namespaces: d.namespaces });

describe('rollback', () => {
  // Every HCN call ADD makes once the network exists; a failure at any of them must leave HNS as it was.
  const calls = [
    'HcnEnumerateNamespaces',
    'HcnEnumerateNetworks',
    'HcnOpenNetwork',
    'HcnQueryNetworkProperties',
    'HcnEnumerateEndpoints',
    'HcnCreateEndpoint',
    'HcnQueryEndpointProperties',
    'HcnOpenNamespace',
    'HcnModifyNamespace',
    'HcnQueryNamespaceProperties',
  ];
  it.each(calls)('after a failure of %s the state equals the state before', (fn) => {
    const host = new SimHost();
    try {
      const netns = host.createNamespace();
      const config = withMapping(7070);
      // The network exists already (a previous container), as it usually does.
      expect(
        host.run({
          command: 'ADD',
          containerId: 'warm',
          netns: host.createNamespace(),
          ifName: 'eth0',
          config: natConfig(V),
        }).code,
      ).toBe(0);
      const before = objects(host.dump());
      host.sim('fault', 'add', '--fn', fn, '--hresult', '0x803B0017');
      const a = host.run({ command: 'ADD', containerId: 'fail', netns, ifName: 'eth0', config });
      expect(a.code).toBe(1);
      expect(String(a.json?.msg)).toContain(fn);
      expect(objects(host.dump())).toEqual(before);
      host.sim('fault', 'clear');
      // And the same ADD then succeeds: nothing was left half-done that would get in the way.
      expect(host.run({ command: 'ADD', containerId: 'fail', netns, ifName: 'eth0', config }).code).toBe(0);
    } finally {
      host.remove();
    }
  });
});

describe('parallel invocations', () => {
  it('32 ADDs on a network that does not exist yet: one network, 32 endpoints, distinct addresses; then 32 DELs', async () => {
    const host = new SimHost();
    try {
      const config = natConfig(V);
      const ids = Array.from({ length: 32 }, (_, i) => `par${i}`);
      const namespaces = ids.map(() => host.createNamespace());
      const adds = await Promise.all(
        ids.map((id, i) =>
          host.runAsync({ command: 'ADD', containerId: id, netns: namespaces[i], ifName: 'eth0', config }),
        ),
      );
      expect(adds.map((a) => a.code)).toEqual(ids.map(() => 0));
      const dump = host.dump();
      expect(dump.networks.filter((n) => n.Name === 'nat')).toHaveLength(1);
      const eps = dump.endpoints.filter((e) => e.Name.startsWith('par'));
      expect(eps).toHaveLength(32);
      expect(new Set(eps.map((e) => e.IpConfigurations?.[0]?.IpAddress)).size).toBe(32);
      const dels = await Promise.all(
        ids.map((id, i) =>
          host.runAsync({ command: 'DEL', containerId: id, netns: namespaces[i], ifName: 'eth0', config }),
        ),
      );
      expect(dels.map((a) => a.code)).toEqual(ids.map(() => 0));
      expect(host.dump().endpoints.filter((e) => e.Name.startsWith('par'))).toEqual([]);
    } finally {
      host.remove();
    }
  }, 180_000);
});

describe('CHECK', () => {
  it('needs the prevResult of the ADD it checks (code 7 without one)', () => {
    const host = new SimHost();
    try {
      const netns = host.createNamespace();
      expect(
        host.run({ command: 'ADD', containerId: 'noprev', netns, ifName: 'eth0', config: natConfig(V) }).code,
      ).toBe(0);
      const a = host.run({ command: 'CHECK', containerId: 'noprev', netns, ifName: 'eth0', config: natConfig(V) });
      expect(a.json?.code).toBe(7);
      expect(String(a.json?.msg)).toContain('prevResult');
    } finally {
      host.remove();
    }
  });
});
