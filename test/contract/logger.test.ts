import { PinoLogger } from '../../src/adapters/pino/pino-logger.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { runLoggerContract } from './logger.contract.js';

runLoggerContract('MemoryLogger', async (level) => {
  const logger = new MemoryLogger(level);
  return { logger, lines: () => logger.text(), cleanup: async () => {} };
});

runLoggerContract('PinoLogger', async (level) => {
  const written: string[] = [];
  const logger = new PinoLogger(level, {
    write: (chunk: string) => {
      written.push(chunk);
    },
  });
  return {
    logger,
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((l) => l.length > 0),
    cleanup: async () => {},
  };
});
