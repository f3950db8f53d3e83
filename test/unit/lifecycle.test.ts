import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/app/lifecycle.js';
import { stopAll } from '../../src/app/stop-all.js';
import { MemoryLogger } from '../fakes/memory-logger.js';

describe('stopAll', () => {
  it('runs every step even when earlier ones fail, logs each failure and resolves', async () => {
    const logger = new MemoryLogger();
    const ran: string[] = [];
    await expect(
      stopAll(logger, [
        ['first', () => ran.push('first')],
        [
          'listener',
          async () => {
            ran.push('listener');
            throw new Error('close failed');
          },
        ],
        [
          'sync',
          () => {
            ran.push('sync');
            throw new Error('boom');
          },
        ],
        ['pid file', () => ran.push('pid file')],
        ['index save', async () => ran.push('index save')],
      ]),
    ).resolves.toBeUndefined();
    expect(ran).toEqual(['first', 'listener', 'sync', 'pid file', 'index save']);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', msg: 'shutdown: listener failed', fields: { error: 'close failed' } },
      { level: 'error', msg: 'shutdown: sync failed', fields: { error: 'boom' } },
    ]);
    expect(logger.has('warn', 'stopped, with errors')).toBe(true);
  });

  it('says "stopped" when every step succeeded', async () => {
    const logger = new MemoryLogger();
    await stopAll(logger, [['only', async () => undefined]]);
    expect(logger.lines).toEqual([{ level: 'info', msg: 'stopped', fields: undefined }]);
  });
});

describe('Lifecycle', () => {
  const recorder = () => {
    const ran: string[] = [];
    const stage = (name: string, failStart = false) => ({
      name,
      start: async () => {
        ran.push(`start ${name}`);
        if (failStart) throw new Error(`${name} cannot start`);
      },
      stop: () => ran.push(`stop ${name}`),
    });
    return { ran, stage };
  };

  it('starts stages in order and stops them in reverse', async () => {
    const { ran, stage } = recorder();
    const life = new Lifecycle(new MemoryLogger(), [stage('listener'), stage('docs'), stage('transport')]);
    await life.start();
    await life.stop();
    expect(ran).toEqual([
      'start listener',
      'start docs',
      'start transport',
      'stop transport',
      'stop docs',
      'stop listener',
    ]);
  });

  it('stops what already started when a stage fails to start, and rethrows', async () => {
    const { ran, stage } = recorder();
    const life = new Lifecycle(new MemoryLogger(), [
      stage('listener'),
      stage('docs', true),
      stage('transport'),
    ]);
    await expect(life.start()).rejects.toThrow('docs cannot start');
    expect(ran).toEqual(['start listener', 'start docs', 'stop listener']);
    await life.stop();
    expect(ran).toHaveLength(3); // nothing is stopped twice
  });
});
