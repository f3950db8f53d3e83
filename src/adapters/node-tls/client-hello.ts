/** What the front door needs from a TLS ClientHello: the SNI name and the ALPN protocols offered. */
export interface ClientHelloInfo {
  readonly servername?: string;
  readonly alpn: string[];
}

/**
 * Bytes needed before the first TLS record is complete, 0 when it is, or -1 when this is not a
 * TLS handshake at all (e.g. plain HTTP sent to the HTTPS port).
 */
export function missingBytes(buf: Buffer): number {
  if (buf.length < 5) return 5 - buf.length;
  if (buf[0] !== 0x16) return -1;
  const need = 5 + buf.readUInt16BE(3);
  return Math.max(0, need - buf.length);
}

/** Parses the ClientHello in the first record; undefined when it is malformed. */
export function parseClientHello(buf: Buffer): ClientHelloInfo | undefined {
  try {
    let at = 5;
    if (buf[at] !== 0x01) return undefined; // handshake type ClientHello
    at += 4; // type + 3-byte length
    at += 2 + 32; // version + random
    at += 1 + (buf[at] as number); // session id
    at += 2 + buf.readUInt16BE(at); // cipher suites
    at += 1 + (buf[at] as number); // compression methods
    if (at + 2 > buf.length) return { alpn: [] };
    const end = Math.min(buf.length, at + 2 + buf.readUInt16BE(at));
    at += 2;
    let servername: string | undefined;
    const alpn: string[] = [];
    while (at + 4 <= end) {
      const type = buf.readUInt16BE(at);
      const len = buf.readUInt16BE(at + 2);
      const body = buf.subarray(at + 4, at + 4 + len);
      if (type === 0x0000 && body.length > 5) {
        const nameLen = body.readUInt16BE(3);
        servername = body
          .subarray(5, 5 + nameLen)
          .toString('ascii')
          .toLowerCase();
      } else if (type === 0x0010 && body.length > 2) {
        for (let p = 2; p < body.length; ) {
          const l = body[p] as number;
          alpn.push(body.subarray(p + 1, p + 1 + l).toString('ascii'));
          p += 1 + l;
        }
      }
      at += 4 + len;
    }
    return { servername, alpn };
  } catch {
    return undefined;
  }
}
