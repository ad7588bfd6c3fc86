/**
 * The deps' wiring that no process test can reach off Windows: the network lock gets the invocation's
 * log, so that the Windows mutex's WAIT_ABANDONED warning (plugin/lock.ts withMutex) reaches it.
 */
import { describe, expect, it, vi } from 'vitest';
import { createDeps } from '../../plugin/deps';

// vi.mock is hoisted above the imports; what its factory uses must be too.
const seen = vi.hoisted((): Array<{ network: string; options: Record<string, unknown> }> => []);
vi.mock('../../plugin/lock', async (original) => ({
  ...(await original<typeof import('../../plugin/lock')>()),
  withNetworkLock: (network: string, options: Record<string, unknown>, fn: () => unknown) => {
    seen.push({ network, options });
    return fn();
  },
}));

describe('createDeps', () => {
  it('hands the lock the log of this invocation (for the WAIT_ABANDONED warning)', () => {
    const deps = createDeps({
      env: {},
      platform: 'win32',
      hns: {
        open: () => {
          throw new Error('unused');
        },
        lockDir: '/unused',
      },
      cniVersion: '1.0.0',
    });
    expect(deps.lock('nat', () => 42)).toBe(42);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.options.log).toBe(deps.log);
  });

  it('reports an adapter list it cannot get as "cannot tell", with a warning', () => {
    const deps = createDeps({
      env: {},
      platform: 'linux',
      cniVersion: '1.0.0',
      hns: {
        open: () => {
          throw new Error('unused');
        },
        lockDir: '/unused',
        adapters: () => {
          throw new Error('GetAdaptersAddresses failed (error 8)');
        },
      },
    });
    const warn = vi.spyOn(deps.log, 'warn');
    expect(deps.hostAdapters()).toBeUndefined();
    expect(warn).toHaveBeenCalledWith("cannot list the host's network adapters", {
      error: 'GetAdaptersAddresses failed (error 8)',
    });
  });
});
