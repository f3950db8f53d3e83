import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

export type BodyOutcome =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'too_large' };

/**
 * The request body as text, at most `maxBytes` (a declared Content-Length over it is refused before
 * anything is read). Under @hono/node-server it is read from Node's request stream: going through
 * `c.req` would build a fetch Request and a web stream around it for every call, which costs more
 * than the MCP call it carries. A UTF-8 byte order mark is dropped, as `Request.text()` does.
 */
export async function readBody(c: Context, maxBytes: number): Promise<BodyOutcome> {
  const incoming = (c.env as HttpBindings | undefined)?.incoming;
  // Tests hand app.request() a stand-in for Node's request (a socket address only): read the fetch body then.
  if (typeof incoming?.on === 'function' && incoming.headers) {
    const read = readNodeBody(incoming, maxBytes);
    return read instanceof Promise ? await read : read;
  }
  if (Number(c.req.header('content-length')) > maxBytes) return TOO_LARGE;
  const bytes = Buffer.from(await c.req.arrayBuffer());
  if (bytes.length > maxBytes) return TOO_LARGE;
  return bodyText(bytes);
}

/**
 * readBody on Node's request itself (the MCP front answers on it before Hono): synchronous when
 * the whole body is buffered already.
 */
export function readNodeBody(
  incoming: HttpBindings['incoming'],
  maxBytes: number,
): BodyOutcome | Promise<BodyOutcome> {
  const length = incoming.headers['content-length'];
  const declared = length === undefined ? -1 : Number(length);
  if (declared > maxBytes) return TOO_LARGE;
  const read = readStream(incoming, maxBytes, declared);
  if (read instanceof Promise) return read.then((bytes) => (bytes ? bodyText(bytes) : TOO_LARGE));
  return read ? bodyText(read) : TOO_LARGE;
}

const TOO_LARGE: BodyOutcome = { ok: false, reason: 'too_large' };

function bodyText(bytes: Buffer): BodyOutcome {
  const text = bytes.toString('utf8');
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The whole stream, or undefined as soon as it grows past `maxBytes` (the rest is left unread). */
function readStream(
  stream: HttpBindings['incoming'],
  maxBytes: number,
  declared: number,
): Buffer | undefined | Promise<Buffer | undefined> {
  // A small body came in the packets that held the headers: Node's parser has it buffered, the
  // whole message (`complete`, or as many bytes as Content-Length declared: Node marks the message
  // complete only a turn of the event loop later). Taking it at once spares the stream's flowing
  // mode (a resume tick, data and end events) on every MCP call; the stream then ends by itself.
  const buffered = stream.readableLength;
  const whole = stream.complete || (buffered === declared && !stream.headers['transfer-encoding']);
  if (whole && !stream.readableFlowing && buffered > 0 && buffered <= maxBytes) {
    // read() without a size hands over everything buffered, as one Buffer.
    const all = stream.read() as Buffer | null;
    if (all !== null && all.length === buffered) return all;
    if (all !== null) throw new Error(`read ${all.length} of ${buffered} buffered bytes`);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        stream.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
