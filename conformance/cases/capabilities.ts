/** J. Capabilities and runtimeConfig (C-72 … C-75); L. Go JSON-decoding compatibility (C-82). */
import type { T } from '../context';
import { isObject } from '../judge';
import type { JsonObject } from '../profiles/types';
import type { Case } from './types';

/** An address inside the configuration's subnet (ipam.subnet), for the `ips`/`ipRanges` capabilities. */
function subnetOf(config: JsonObject): string | undefined {
  const ipam = config.ipam;
  return isObject(ipam) && typeof ipam.subnet === 'string' ? ipam.subnet : undefined;
}

async function addWithRuntimeConfig(t: T, runtimeConfig: JsonObject | undefined, step: string): Promise<JsonObject> {
  const v = await t.version();
  const extra = runtimeConfig === undefined ? {} : { runtimeConfig };
  const { result } = await t.add(v, { extra, step });
  return result;
}

export const capabilityCases: Case[] = [
  {
    id: 'C-72',
    title: 'runtimeConfig may be absent, empty or partial',
    async run(t) {
      await addWithRuntimeConfig(t, undefined, 'ADD without runtimeConfig');
      await addWithRuntimeConfig(t, {}, 'ADD with runtimeConfig {}');
      await addWithRuntimeConfig(t, { dns: { servers: ['192.0.2.53'] } }, 'ADD with only dns');
      await addWithRuntimeConfig(
        t,
        { portMappings: [{ hostPort: 18080, containerPort: 80, protocol: 'tcp' }] },
        'ADD with only portMappings',
      );
    },
  },
  {
    id: 'C-73',
    title: "portMappings in the CONVENTIONS spelling and in containerd's PascalCase",
    async run(t) {
      const camel = [{ hostPort: 18081, containerPort: 80, protocol: 'tcp', hostIP: '' }];
      const pascal = [{ HostPort: 18082, ContainerPort: 80, Protocol: 'tcp', HostIP: '' }];
      await addWithRuntimeConfig(t, { portMappings: camel }, 'ADD with portMappings (camelCase)');
      await addWithRuntimeConfig(t, { portMappings: pascal }, 'ADD with portMappings (PascalCase)');
    },
  },
  {
    id: 'C-74',
    title: 'the dns capability, in both spellings, reaches the result',
    judging: { strict: 'interface plugins report the runtime DNS in the result', compat: 'the same' },
    async run(t) {
      for (const [what, dns] of [
        ['camelCase', { servers: ['192.0.2.53'], searches: ['svc.example'], options: ['ndots:5'] }],
        ['PascalCase', { Servers: ['192.0.2.53'], Searches: ['svc.example'], Options: ['ndots:5'] }],
      ] as const) {
        const result = await addWithRuntimeConfig(t, { dns }, `ADD with runtime dns (${what})`);
        if (t.session.kind === 'interface') {
          const got = isObject(result.dns) ? result.dns : {};
          const ns = Array.isArray(got.nameservers) ? got.nameservers : [];
          t.check(
            ns.includes('192.0.2.53'),
            `ADD with runtime dns (${what})`,
            'dns.nameservers to hold 192.0.2.53',
            JSON.stringify(result.dns),
          );
        }
      }
    },
  },
  {
    id: 'C-75',
    title: 'other well-known capabilities are harmless',
    async run(t) {
      const v = await t.version();
      const subnet = subnetOf(t.config(v));
      const inside = subnet
        ?.match(/^(\d+\.\d+\.\d+)\.\d+\/(\d+)$/)
        ?.slice(1)
        .join('.77/');
      const caps: JsonObject = {
        mac: 'c2:11:22:33:44:55',
        bandwidth: { ingressRate: 1_000_000, ingressBurst: 100_000, egressRate: 1_000_000, egressBurst: 100_000 },
        infinibandGUID: 'c2:11:22:33:44:55:66:77',
        deviceID: '0000:00:1f.6',
        aliases: ['web'],
        cgroupPath: '/kubepods/pod1',
        // host-local adds runtime ranges to the configured ones, so the sample must not overlap them.
        ipRanges: [[{ subnet: '192.168.250.0/24' }]],
        ...(inside ? { ips: [inside] } : {}),
      };
      for (const [k, value] of Object.entries(caps))
        await addWithRuntimeConfig(t, { [k]: value }, `ADD with runtimeConfig.${k}`);
    },
  },
  {
    id: 'C-82',
    title: 'configuration keys in another case: Go matches them, the spec does not',
    async run(t) {
      const v = await t.version();
      const base = t.config(v);
      const upper = Object.fromEntries(Object.entries(base).map(([k, x]) => [k === 'type' ? k : k.toUpperCase(), x]));
      const c = await t.container();
      const inv = await t.run('ADD', upper, c);
      if (inv.exitCode === 0) {
        t.expectResult(inv, v, 'ADD with upper-case keys (accepted like Go)');
        t.suite.track(c, base);
      } else {
        await t.expectError(inv, 'any', 'ADD with upper-case keys (refused)');
      }
    },
  },
];
