import { describe, expect, it } from 'vitest';
import { parseNatConfig } from '../../plugin/config';
import { parseMac } from '../../plugin/address';
import { errorOf } from './cni-error';

const base = { cniVersion: '1.0.0', name: 'nat', type: 'nat', ipam: { subnet: '10.4.0.0/24' } };

describe('MAC address', () => {
  it.each([
    ['02:42:ac:11:00:02', '02-42-AC-11-00-02'],
    ['02-42-AC-11-00-02', '02-42-AC-11-00-02'],
    ['0242ac110002', '02-42-AC-11-00-02'],
    ['00:15:5d:52:c0:0a', '00-15-5D-52-C0-0A'],
  ])('%s -> %s', (text, hns) => expect(parseMac(text, ['mac'])).toBe(hns));

  it.each([
    ['02:42:ac:11:00', 'is not a MAC address'],
    ['02:42-ac:11:00:02', 'is not a MAC address'],
    ['02:42:ac:11:00:0g', 'is not a MAC address'],
    ['01:00:5e:00:00:01', 'is a multicast address'],
    ['00:00:00:00:00:00', 'is the all-zero address'],
  ])('refuses %s', (text, why) => {
    const err = errorOf(() => parseNatConfig({ ...base, runtimeConfig: { mac: text } }));
    expect(err.code).toBe(7);
    expect(err.msg).toMatch(new RegExp(`^runtimeConfig\\.mac: .*${why}`));
  });

  it('comes from runtimeConfig.mac (any key case) before CNI_ARGS MAC=', () => {
    expect(
      parseNatConfig({ ...base, runtimeConfig: { MAC: '02:00:00:00:00:01' } }, { args: { MAC: '02:00:00:00:00:02' } })
        .mac,
    ).toBe('02-00-00-00-00-01');
    expect(parseNatConfig(base, { args: { MAC: '02:00:00:00:00:02' } }).mac).toBe('02-00-00-00-00-02');
    expect(parseNatConfig(base).mac).toBeUndefined();
  });

  it('names CNI_ARGS when the MAC= argument is bad', () => {
    const err = errorOf(() => parseNatConfig(base, { args: { MAC: 'zz' } }));
    expect(err.msg).toMatch(/^CNI_ARGS\.MAC: "zz" is not a MAC address/);
  });
});

describe('static IPs', () => {
  it('reads runtimeConfig.ips, with or without a prefix, one per family', () => {
    const c = parseNatConfig({ ...base, runtimeConfig: { IPs: ['10.4.0.10/24', 'FD00::10'] } });
    expect(c.staticIps).toEqual([
      { family: 4, address: '10.4.0.10', prefixLength: 24 },
      { family: 6, address: 'fd00::10' },
    ]);
  });

  it('falls back to CNI_ARGS IP= and then ipam.ipAddress', () => {
    expect(parseNatConfig(base, { args: { IP: '10.4.0.11' } }).staticIps).toEqual([
      { family: 4, address: '10.4.0.11' },
    ]);
    expect(parseNatConfig({ ...base, ipam: { subnet: '10.4.0.0/24', IPAddress: '10.4.0.12' } }).staticIps).toEqual([
      { family: 4, address: '10.4.0.12' },
    ]);
    expect(
      parseNatConfig({ ...base, runtimeConfig: { ips: ['10.4.0.13'] } }, { args: { IP: '10.4.0.11' } }).staticIps,
    ).toEqual([{ family: 4, address: '10.4.0.13' }]);
  });

  it.each([
    [{ runtimeConfig: { ips: ['10.4.0.300'] } }, {}, 'runtimeConfig.ips[0]: "10.4.0.300" is not a valid IPv4 address'],
    [{ runtimeConfig: { ips: ['10.4.0.1/33'] } }, {}, 'runtimeConfig.ips[0]: "10.4.0.1/33" has prefix length 33'],
    [{ runtimeConfig: { ips: ['10.4.0.1', '10.4.0.2'] } }, {}, 'runtimeConfig.ips[1]: a second IPv4 address'],
    [{ runtimeConfig: { ips: [5] } }, {}, 'runtimeConfig.ips[0]: expected an IP address string'],
    [{ runtimeConfig: { ips: '10.4.0.1' } }, {}, 'runtimeConfig.ips: expected array'],
    [{}, { IP: 'x' }, 'CNI_ARGS.IP[0]: "x" is not a valid IP address'],
  ])('%j %j is code 7 naming the field', (extra, args, message) => {
    const err = errorOf(() => parseNatConfig({ ...base, ...extra }, { args }));
    expect(err.code).toBe(7);
    expect(err.msg.startsWith(message)).toBe(true);
  });
});
