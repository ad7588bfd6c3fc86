/** The operator commands' parsers: containerd's config.toml, the route tables, the subnet choice. */
import { describe, expect, it } from 'vitest';
import { cniDirsFromToml } from '../../../plugin/cli/containerd-toml';
import { routesFromProcNetRoute, routesFromRoutePrint } from '../../../plugin/cli/hostnet';
import { chooseSubnet } from '../../../plugin/cli/pick-subnet';
import { parseCidr, type Subnet } from '../../../plugin/subnet';

const cidr = (t: string): Subnet => (parseCidr(t) as { ok: true; value: Subnet }).value;

describe('cniDirsFromToml', () => {
  it('reads containerd 1.x (io.containerd.grpc.v1.cri) with TOML escapes', () => {
    const text = [
      'version = 2',
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "windows"',
      '[plugins."io.containerd.grpc.v1.cri".cni]',
      '  bin_dir = "C:\\\\Program Files\\\\containerd\\\\cni\\\\bin"',
      "  conf_dir = 'C:\\k\\cni\\config'",
      '  max_conf_num = 1',
    ].join('\r\n');
    expect(cniDirsFromToml(text)).toEqual({
      binDir: 'C:\\Program Files\\containerd\\cni\\bin',
      confDir: 'C:\\k\\cni\\config',
      table: '[plugins."io.containerd.grpc.v1.cri".cni]',
    });
  });

  it('reads containerd 2.x (io.containerd.cri.v1.runtime): bin_dirs wins over the deprecated bin_dir', () => {
    const text =
      "[plugins.'io.containerd.cri.v1.runtime'.cni]\nbin_dir = 'C:\\old'\nbin_dirs = ['C:\\new', 'C:\\other']\n";
    expect(cniDirsFromToml(text)).toMatchObject({
      binDir: 'C:\\new',
      table: '[plugins."io.containerd.cri.v1.runtime".cni]',
    });
  });

  it('ignores other tables and comments', () => {
    expect(cniDirsFromToml('# [plugins."io.containerd.grpc.v1.cri".cni]\n[other]\nbin_dir = "x"\n')).toEqual({});
  });
});

describe('route tables', () => {
  it('route print -4', () => {
    const text = `IPv4 Route Table
===========================================================================
Active Routes:
Network Destination        Netmask          Gateway       Interface  Metric
          0.0.0.0          0.0.0.0      192.168.1.1    192.168.1.20     25
        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331
      172.20.48.0    255.255.240.0         On-link       172.20.48.1   5256
===========================================================================
Persistent Routes:
  None`;
    expect(routesFromRoutePrint(text).map((s) => s.prefix)).toEqual(['0.0.0.0/0', '127.0.0.0/8', '172.20.48.0/20']);
  });

  it('/proc/net/route', () => {
    const text =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';
    expect(routesFromProcNetRoute(text).map((s) => s.prefix)).toEqual(['0.0.0.0/0', '172.17.0.0/16']);
  });
});

describe('chooseSubnet', () => {
  const none = { adapters: [], routes: [] };
  it('skips what adapters, routes (not the default route) and HNS networks use', () => {
    const host = {
      adapters: [{ name: 'Ethernet', subnet: cidr('172.16.0.0/24') }],
      routes: [cidr('0.0.0.0/0'), cidr('172.16.16.0/20')],
    };
    const hnsNetworks = [
      {
        Name: 'x',
        Type: 'NAT',
        Ipams: [{ Type: 'Static', Subnets: [{ IpAddressPrefix: '172.16.32.0/19', Routes: [] }] }],
      },
    ] as never;
    expect(chooseSubnet({ name: 'nat', existing: undefined, hnsNetworks, host })).toMatchObject({
      subnet: '172.16.64.0/20',
      gateway: '172.16.64.1',
    });
  });

  it('an existing network wins, and a --subnet that contradicts it is refused', () => {
    const existing = {
      Name: 'nat',
      Type: 'NAT',
      Ipams: [
        {
          Type: 'Static',
          Subnets: [
            { IpAddressPrefix: '172.20.48.0/20', Routes: [{ NextHop: '172.20.48.1', DestinationPrefix: '0.0.0.0/0' }] },
          ],
        },
      ],
    } as never;
    expect(chooseSubnet({ name: 'nat', existing, hnsNetworks: [existing], host: none })).toMatchObject({
      subnet: '172.20.48.0/20',
      gateway: '172.20.48.1',
    });
    expect(() =>
      chooseSubnet({ name: 'nat', subnet: '10.0.0.0/24', existing, hnsNetworks: [existing], host: none }),
    ).toThrow(/exists with subnet 172\.20\.48\.0\/20/);
  });
});
