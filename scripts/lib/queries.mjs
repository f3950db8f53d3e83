// Realistic questions the load benchmarks rotate through (bench-mcp, bench-renewal).
export const QUERIES = [
  'read a file line by line',
  'keep a timer from holding the process open',
  'createSecureContext',
  'spawn a child process and capture its output',
  'how to hash a password with scrypt',
  'worker threads share memory',
  'parse command line arguments',
  'EventEmitter memory leak warning max listeners',
  'stream backpressure pipeline',
  'resolve a hostname to an IP address',
];
