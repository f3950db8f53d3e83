import { TtyProgressReporter } from '../../src/adapters/terminal/tty-progress-reporter.js';
import { FakeTerminal } from '../fakes/fake-terminal.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { RecordingProgressReporter } from '../fakes/recording-progress-reporter.js';
import { runProgressReporterContract } from './progress-reporter.contract.js';

runProgressReporterContract('RecordingProgressReporter', async () => {
  const reporter = new RecordingProgressReporter();
  return {
    reporter,
    advance: () => undefined,
    reported: () => reporter.reportedLines.join('\n'),
    leftShown: () => reporter.stillShown.join('\n'),
    cleanup: async () => {},
  };
});

runProgressReporterContract('TtyProgressReporter on a terminal', async () => {
  let now = 0;
  const terminal = new FakeTerminal();
  const reporter = new TtyProgressReporter(new MemoryLogger(), terminal, () => now);
  return {
    reporter,
    advance: (ms) => {
      now += ms;
    },
    reported: () => terminal.written,
    leftShown: () => terminal.visibleLine,
    cleanup: async () => {},
  };
});

// Off a terminal the reporter writes log lines: nothing stays on show, so leftShown is always ''.
runProgressReporterContract('TtyProgressReporter off a terminal', async () => {
  let now = 0;
  const logger = new MemoryLogger();
  const reporter = new TtyProgressReporter(logger, undefined, () => now);
  return {
    reporter,
    advance: (ms) => {
      now += ms;
    },
    reported: () => logger.text().join('\n'),
    leftShown: () => '',
    cleanup: async () => {},
  };
});
