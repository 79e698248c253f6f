// A ZIP file of a few entries, stored (no compression: photos are compressed already), made
// on the phone so that a record the server refused can be kept outside the app.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function header(fields) {
  const buffer = new DataView(new ArrayBuffer(fields.reduce((n, [size]) => n + size, 0)));
  let at = 0;
  for (const [size, value] of fields) {
    if (size === 4) buffer.setUint32(at, value, true);
    else buffer.setUint16(at, value, true);
    at += size;
  }
  return new Uint8Array(buffer.buffer);
}

// entries: [{ name, data: Blob | string }] -> a Blob of type application/zip.
export async function zipOf(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const data = typeof entry.data === 'string' ? new TextEncoder().encode(entry.data) : new Uint8Array(await entry.data.arrayBuffer());
    const crc = crc32(data);
    // version 20, flag 0x0800 (UTF-8 names), stored, no time
    const common = [[2, 20], [2, 0x0800], [2, 0], [2, 0], [2, 0x21], [4, crc], [4, data.length], [4, data.length], [2, name.length]];
    const local = header([[4, 0x04034b50], ...common, [2, 0]]);
    parts.push(local, name, data);
    central.push(header([[4, 0x02014b50], [2, 20], ...common, [2, 0], [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]), name);
    offset += local.length + name.length + data.length;
  }
  const size = central.reduce((n, part) => n + part.length, 0);
  const end = header([[4, 0x06054b50], [2, 0], [2, 0], [2, entries.length], [2, entries.length], [4, size], [4, offset], [2, 0]]);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}
