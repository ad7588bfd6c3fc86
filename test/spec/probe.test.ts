/**
 * spec/probe.ts: the answers a plugin gives without its handlers. skel's dispatch answers VERSION and
 * the about text through it (test/spec/skel.test.ts), and a start-up script calls it alone
 * (test/plugin/start.test.ts); here, what it answers and what it leaves to the dispatcher.
 */
import { describe, expect, it } from 'vitest';
import { probeAnswer } from '../../spec/probe';

const plugin = { about: 'nat-cni test', supportedVersions: ['0.4.0', '1.0.0'] as const };
const stdin = (text: string) => () => Buffer.from(text);
const unread = () => {
  throw new Error('stdin was read');
};

describe('probeAnswer', () => {
  it('answers VERSION with the requested version and the supported ones', () => {
    const out = probeAnswer(plugin, 'VERSION', stdin('{"cniVersion":"0.4.0"}'));
    expect(out).toEqual({
      stdout: '{"cniVersion":"0.4.0","supportedVersions":["0.4.0","1.0.0"]}\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('answers VERSION whatever stdin holds, as Go ignores it', () => {
    for (const text of ['', 'not json', '{"cniVersion":7}']) {
      expect(probeAnswer(plugin, 'VERSION', stdin(text))?.exitCode).toBe(0);
    }
    expect(() => probeAnswer(plugin, 'VERSION', unread)).not.toThrow();
  });

  it('prints the about text on stderr when there is no CNI_COMMAND, without reading stdin', () => {
    for (const command of [undefined, '']) {
      expect(probeAnswer(plugin, command, unread)).toEqual({
        stdout: '',
        stderr: 'nat-cni test\nCNI protocol versions supported: 0.4.0, 1.0.0\n',
        exitCode: 0,
      });
    }
  });

  it('leaves every other call to the dispatcher, unread; and no CNI_COMMAND without an about text', () => {
    for (const command of ['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'version', 'BOGUS']) {
      expect(probeAnswer(plugin, command, unread)).toBeUndefined();
    }
    expect(probeAnswer({ supportedVersions: plugin.supportedVersions }, '', unread)).toBeUndefined();
  });
});
