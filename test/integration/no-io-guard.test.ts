// The guard that keeps test/unit free of I/O (test/no-io-guard.ts) must catch what it claims to, and
// let module loading through. Here, not in test/unit: proving it takes a real socket and file.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { installNoIoGuard, NO_IO_MESSAGE, removeNoIoGuard } from '../no-io-guard.js';

describe('the no-I/O guard of test/unit', () => {
  afterEach(() => removeNoIoGuard());

  it('makes listening, connecting, file access and child processes throw', async () => {
    installNoIoGuard();
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(NO_IO_MESSAGE);
    expect(() => connect({ host: '127.0.0.1', port: 9 })).toThrow(NO_IO_MESSAGE);
    expect(() => readFileSync('package.json')).toThrow(NO_IO_MESSAGE);
    await expect(async () => readFile('package.json')).rejects.toThrow(NO_IO_MESSAGE);
    expect(() => spawn(process.execPath, ['--version'])).toThrow(NO_IO_MESSAGE);
    const fetched = await fetch('http://127.0.0.1:7357/').catch((e: Error) => e);
    expect(String((fetched as Error).cause)).toContain(NO_IO_MESSAGE);
  });

  it('still lets a module be imported while installed', async () => {
    installNoIoGuard();
    const { InMemoryDocSource } = await import('../fakes/in-memory-doc-source.js');
    expect(InMemoryDocSource).toBeTypeOf('function');
  });

  it('puts everything back when removed', async () => {
    installNoIoGuard();
    removeNoIoGuard();
    expect(readFileSync('package.json', 'utf8')).toContain('"certdocs"');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
