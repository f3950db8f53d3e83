/** A small corpus with the shapes that matter: nesting, code fences with '#', duplicate headings, identifiers. */
export const SAMPLE_DOCS: Record<string, string> = {
  'timers.md': `# Timers

The timer module schedules functions.

## Class: Timeout

Returned by setTimeout().

### timeout.unref()

When called, the active Timeout object will not require the event loop to remain active.
If there is no other activity keeping the event loop running, the process may exit.

### timeout.ref()

Requests that the event loop not exit so long as the Timeout is active.

## setTimeout(callback, delay)

Schedules execution of a one-time callback after delay milliseconds.

\`\`\`js
# not a heading, a comment in a shell snippet
setTimeout(() => {}, 10);
\`\`\`
`,
  'tls.md': `# TLS

## tls.createSecureContext(options)

Creates a credentials object holding keys and certificates for a secure context.

## Examples

First example.

## Examples

Second example with the same heading.
`,
  'guide/files.md': `Some preamble before any heading.

# Working with files

## Reading a file line by line

Use readline with a stream to consume an input file one line at a time.
`,
};
