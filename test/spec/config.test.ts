import { describe, expect, it } from 'vitest';
import { CniError } from '../../spec/errors';
import { checkNetworkName, parseNetworkConfig, parseValidAttachments } from '../../spec/config';

const verdict = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch (e) {
    const c = e as CniError;
    return { code: c.code, msg: c.msg, details: c.details };
  }
};

describe('generic network configuration', () => {
  it('parses every generic field and drops plugin fields from the parsed view', () => {
    const c = parseNetworkConfig({
      cniVersion: '1.0.0',
      name: 'natnet',
      type: 'nat',
      capabilities: { portMappings: true, dns: true },
      runtimeConfig: { portMappings: [{ HostPort: 8080 }] },
      args: { cni: { labels: [{ key: 'app', value: 'x' }] } },
      prevResult: { cniVersion: '1.0.0' },
      ipam: { type: 'host-local', subnet: '10.0.0.0/24', ranges: [[{}]] },
      dns: { nameservers: ['10.0.0.1'], domain: 'd', search: ['s'], options: ['ndots:5'] },
      master: 'Ethernet',
    });
    expect(c).toMatchObject({
      cniVersion: '1.0.0',
      name: 'natnet',
      type: 'nat',
      capabilities: { portMappings: true, dns: true },
      runtimeConfig: { portMappings: [{ HostPort: 8080 }] },
      args: { cni: { labels: [{ key: 'app', value: 'x' }] } },
      prevResult: { cniVersion: '1.0.0' },
      ipam: { type: 'host-local', subnet: '10.0.0.0/24', ranges: [[{}]] },
      dns: { nameservers: ['10.0.0.1'], domain: 'd', search: ['s'], options: ['ndots:5'] },
    });
    expect(c).not.toHaveProperty('master');
  });

  it('C-82: keys match case-insensitively, at every level', () => {
    const c = parseNetworkConfig({
      CNIVERSION: '0.4.0',
      NAME: 'caseNet',
      IPAM: { Type: 'x', Subnet: 's' },
      DNS: { Nameservers: ['1.1.1.1'] },
    });
    expect(c).toMatchObject({
      cniVersion: '0.4.0',
      name: 'caseNet',
      ipam: { type: 'x', Subnet: 's' },
      dns: { nameservers: ['1.1.1.1'] },
    });
  });

  it('JSON null counts as absent, as in Go', () => {
    const c = parseNetworkConfig({
      name: 'n',
      dns: null,
      ipam: null,
      capabilities: null,
      runtimeConfig: null,
      type: null,
    });
    expect(c.dns).toBeUndefined();
    expect(c.ipam).toBeUndefined();
    expect(c.type).toBeUndefined();
  });

  it('C-25/C-26/X-25/X-27: reserved and unknown keys are tolerated', () => {
    expect(
      verdict(() =>
        parseNetworkConfig({
          name: 'n',
          'cni.dev/future': 1,
          someFutureField: 123,
          disableGC: true,
          cniVersions: ['1.1.0'],
          runtimeConfig: { unknownCap: 1 },
        }),
      ),
    ).toHaveProperty('ok');
  });

  it.each([
    [{ name: 'n', ipam: 5 }, 'ipam'],
    [{ name: 'n', dns: { nameservers: 'x' } }, 'dns.nameservers'],
    [{ name: 'n', capabilities: { dns: 'yes' } }, 'capabilities.dns'],
    [{ name: 'n', ipam: { type: 7 } }, 'ipam.type'],
    [{ name: 'n', runtimeConfig: [] }, 'runtimeConfig'],
  ])('C-28: a wrong JSON type is code 7 naming the field (%j)', (config, field) => {
    const r = verdict(() => parseNetworkConfig(config));
    expect(r).toMatchObject({ code: 7, msg: 'invalid network configuration' });
    expect((r as { details: string }).details.startsWith(`${field}: `)).toBe(true);
  });
});

describe('network name from the raw configuration (C-23)', () => {
  it('reads it case-insensitively', () => {
    expect(checkNetworkName({ NAME: 'x' })).toBe('x');
  });
  it('C-82: of two spellings the last in the document wins, as in Go', () => {
    expect(checkNetworkName({ name: 'a', NAME: 'b' })).toBe('b');
    expect(checkNetworkName({ NAME: 'b', name: 'a' })).toBe('a');
  });
  it.each([[{}], [{ name: '' }], [{ name: null }]])('missing (%j) is code 7', (c) => {
    expect(verdict(() => checkNetworkName(c))).toEqual({ code: 7, msg: 'missing network name', details: undefined });
  });
  it('a non-string name is code 6 with the Go text', () => {
    expect(verdict(() => checkNetworkName({ name: 5 }))).toEqual({
      code: 6,
      msg: 'error unmarshall network config: json: cannot unmarshal number into Go struct field .name of type string',
      details: undefined,
    });
  });
});

describe('GC attachments (X-16, X-20)', () => {
  const list = [
    { containerID: 'a', ifname: 'eth0' },
    { containerID: 'c', ifname: 'eth1' },
  ];
  it('reads the current key', () => {
    expect(parseValidAttachments({ 'cni.dev/valid-attachments': list })).toEqual(list);
  });
  it('reads the legacy key', () => {
    expect(parseValidAttachments({ 'cni.dev/attachments': list })).toEqual(list);
  });
  it('prefers the current key when both are present', () => {
    expect(parseValidAttachments({ 'cni.dev/attachments': [], 'cni.dev/valid-attachments': list })).toEqual(list);
  });
  it('keeps an empty list apart from a missing key', () => {
    expect(parseValidAttachments({ 'cni.dev/valid-attachments': [] })).toEqual([]);
    expect(parseValidAttachments({})).toBeUndefined();
  });
  it('matches the attachment keys case-insensitively, as Go does', () => {
    expect(parseValidAttachments({ 'cni.dev/valid-attachments': [{ ContainerId: 'a', IfName: 'e' }] })).toEqual([
      { containerID: 'a', ifname: 'e' },
    ]);
  });
  it('a malformed list is code 7', () => {
    expect(verdict(() => parseValidAttachments({ 'cni.dev/valid-attachments': [{ containerID: 1 }] }))).toMatchObject({
      code: 7,
      msg: 'invalid cni.dev/valid-attachments',
    });
  });
});
