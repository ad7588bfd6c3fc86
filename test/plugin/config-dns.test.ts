import { describe, expect, it } from 'vitest';
import { parseNatConfig } from '../../plugin/config';
import { configDnsSchema, mergeDns, runtimeDnsSchema } from '../../plugin/dns';
import { CniError } from '../../spec/errors';

const base = { cniVersion: '1.0.0', name: 'nat', type: 'nat' };

describe('DNS keys', () => {
  it.each([
    [{ nameservers: ['10.0.0.10'], domain: 'corp', search: ['svc.cluster.local'], options: ['ndots:5'] }],
    [{ Nameservers: ['10.0.0.10'], Domain: 'corp', Search: ['svc.cluster.local'], Options: ['ndots:5'] }],
    [{ NAMESERVERS: ['10.0.0.10'], DOMAIN: 'corp', SEARCH: ['svc.cluster.local'], OPTIONS: ['ndots:5'] }],
  ])('config dns %j', (dns) => {
    expect(parseNatConfig({ ...base, DNS: dns }).dns).toEqual({
      nameservers: ['10.0.0.10'],
      domain: 'corp',
      search: ['svc.cluster.local'],
      options: ['ndots:5'],
    });
  });

  it.each([
    [{ servers: ['8.8.8.8'], searches: ['a.local'], options: ['rotate'] }],
    [{ Servers: ['8.8.8.8'], Searches: ['a.local'], Options: ['rotate'] }],
    [{ servers: ['8.8.8.8'], SEARCHES: ['a.local'], options: ['rotate'] }],
  ])('runtime dns %j replaces the config lists, not the domain', (dns) => {
    const c = parseNatConfig({
      ...base,
      dns: { nameservers: ['10.0.0.10'], domain: 'corp', search: ['svc.cluster.local'], options: ['ndots:5'] },
      runtimeConfig: { dns },
    });
    expect(c.dns).toEqual({ nameservers: ['8.8.8.8'], domain: 'corp', search: ['a.local'], options: ['rotate'] });
  });

  it('keeps config lists where the runtime list is empty', () => {
    const c = parseNatConfig({
      ...base,
      dns: { nameservers: ['10.0.0.10'], search: ['svc.cluster.local'] },
      runtimeConfig: { dns: { Servers: [], Searches: null } },
    });
    expect(c.dns).toEqual({ nameservers: ['10.0.0.10'], domain: '', search: ['svc.cluster.local'], options: [] });
  });

  it.each([
    [{ dns: { nameservers: ['10.0.0.300'] } }, 'dns.nameservers[0]: "10.0.0.300" is not a valid'],
    [{ dns: { nameservers: ['1.1.1.1', 'dns.google'] } }, 'dns.nameservers[1]: "dns.google" is not a valid IP address'],
    [{ runtimeConfig: { dns: { Servers: ['x'] } } }, 'runtimeConfig.dns.servers[0]: "x" is not a valid IP address'],
    [{ dns: { search: 'svc.cluster.local' } }, 'dns.search: expected array'],
    [{ dns: 'x' }, 'dns: expected object'],
  ])('%j is code 7 naming the field', (extra, message) => {
    let err: unknown;
    try {
      parseNatConfig({ ...base, ...extra });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CniError);
    expect((err as CniError).code).toBe(7);
    expect((err as CniError).msg.startsWith(message)).toBe(true);
  });
});

describe('the Kubernetes namespace search rewrite', () => {
  const config = configDnsSchema.parse({ nameservers: ['10.0.0.10'], search: ['svc.cluster.local', 'cluster.local'] });
  const none = runtimeDnsSchema.parse({});

  it('prefixes the first search domain with K8S_POD_NAMESPACE', () => {
    expect(mergeDns(config, none, 'kube-system').search).toEqual(['kube-system.svc.cluster.local', 'cluster.local']);
  });

  it('does not mutate its inputs, so a second call gives the same answer', () => {
    const before = structuredClone(config);
    const first = mergeDns(config, none, 'default');
    const second = mergeDns(config, none, 'default');
    expect(config).toEqual(before);
    expect(second).toEqual(first);
    expect(second.search[0]).toBe('default.svc.cluster.local');
    first.search.push('x');
    first.nameservers.push('1.1.1.1');
    expect(config).toEqual(before);
  });

  it('does not mutate the decoded config either', () => {
    const raw = { ...base, dns: { search: ['svc.cluster.local'] } };
    const before = structuredClone(raw);
    parseNatConfig(raw, { args: { K8S_POD_NAMESPACE: 'ns1' } });
    const again = parseNatConfig(raw, { args: { K8S_POD_NAMESPACE: 'ns1' } });
    expect(raw).toEqual(before);
    expect(again.dns.search).toEqual(['ns1.svc.cluster.local']);
  });

  it('reads the namespace from CNI_ARGS given as a Map or a record, case-sensitively', () => {
    const raw = { ...base, dns: { search: ['svc.cluster.local'] } };
    expect(parseNatConfig(raw, { args: new Map([['K8S_POD_NAMESPACE', 'a']]) }).dns.search).toEqual([
      'a.svc.cluster.local',
    ]);
    expect(parseNatConfig(raw, { args: { k8s_pod_namespace: 'a' } }).dns.search).toEqual(['svc.cluster.local']);
    expect(parseNatConfig(raw).dns.search).toEqual(['svc.cluster.local']);
  });

  it('is overridden by runtime searches, as in the Go plugin', () => {
    const runtime = runtimeDnsSchema.parse({ Searches: ['pod.local'] });
    expect(mergeDns(config, runtime, 'default').search).toEqual(['pod.local']);
  });

  it('leaves an empty search list alone', () => {
    expect(mergeDns(configDnsSchema.parse({}), none, 'default').search).toEqual([]);
  });
});

describe('the network DNS', () => {
  it("comes from the config alone: the runtime DNS of one container never becomes the network's", () => {
    const c = parseNatConfig(
      {
        ...base,
        dns: { nameservers: ['10.0.0.10'], search: ['svc.cluster.local'] },
        runtimeConfig: { dns: { Servers: ['192.0.2.53'], Searches: ['pod.local'] } },
      },
      { args: { K8S_POD_NAMESPACE: 'web' } },
    );
    expect(c.dns.nameservers).toEqual(['192.0.2.53']);
    expect(c.networkDns).toEqual({
      nameservers: ['10.0.0.10'],
      domain: '',
      search: ['svc.cluster.local'],
      options: [],
    });
  });
});
