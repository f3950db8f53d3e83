/**
 * node:crypto's X509Certificate exposes no Authority Key Identifier, which ARI ids need. This walks
 * just enough DER to find extension 2.5.29.35 and its keyIdentifier [0].
 */
const AKI_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]);

interface Tlv {
  tag: number;
  start: number; // content start
  end: number; // content end
}

function readTlv(buf: Buffer, at: number): Tlv | undefined {
  if (at + 2 > buf.length) return undefined;
  const tag = buf[at] as number;
  let len = buf[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | (buf[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end <= buf.length ? { tag, start, end } : undefined;
}

export function authorityKeyIdentifier(der: Buffer): Buffer | undefined {
  const oidAt = der.indexOf(AKI_OID);
  if (oidAt < 0) return undefined;
  let next = readTlv(der, oidAt + AKI_OID.length);
  if (next?.tag === 0x01) next = readTlv(der, next.end); // critical flag
  if (next?.tag !== 0x04) return undefined; // extnValue OCTET STRING
  const seq = readTlv(der, next.start);
  if (seq?.tag !== 0x30) return undefined;
  for (let at = seq.start; at < seq.end; ) {
    const field = readTlv(der, at);
    if (!field) return undefined;
    if (field.tag === 0x80) return der.subarray(field.start, field.end);
    at = field.end;
  }
  return undefined;
}
