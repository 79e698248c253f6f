// Resumable uploads: a video (or any large file) goes up in chunks over the tus 1.0
// protocol (/api/uploads), and after a cut, a reload or an app update it resumes from the
// last byte the server holds. The upload's URL is kept in localStorage under the media id,
// so the next attempt (this page or the next) asks the server for its offset and goes on.
//
// sendResumable(fields, blob, { onProgress, signal }) -> { status, body }: the final
// answer, as the one-shot upload gives it (201 with the media record; 200 when that id was
// filed already). A refusal (4xx) throws ApiError with the server's words and forgets the
// upload; no network for a while throws TypeError('network'), keeping it to resume later.

import { ApiError, csrfToken } from './api.js';

const ENDPOINT = '/api/uploads';
const CHUNK = 2 * 1024 * 1024; // bytes per PATCH: progress moves at least this often
const SUBTLE_MAX = 64 * 1024 * 1024; // smaller files are hashed by the browser in one go
const HASH_SLICE = 4 * 1024 * 1024;
const RETRIES = 5; // network failures in a row before giving up until the next attempt
const TUS = { 'Tus-Resumable': '1.0.0' };

const storageKey = (mediaId) => `dossier.upload.${mediaId}`;

function remembered(mediaId, size) {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(mediaId)) || 'null');
    return saved && saved.size === size ? saved : null;
  } catch {
    return null;
  }
}

function remember(mediaId, saved) {
  localStorage.setItem(storageKey(mediaId), JSON.stringify(saved));
}

function forget(mediaId) {
  localStorage.removeItem(storageKey(mediaId));
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

const toBase64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

async function request(url, method, headers, body, signal) {
  const extra = method === 'HEAD' ? {} : { 'X-CSRF-Token': csrfToken() };
  return fetch(url, { method, headers: { ...TUS, ...extra, ...headers }, body, signal, credentials: 'same-origin' });
}

async function refusal(response) {
  const body = await response.json().catch(() => null);
  return new ApiError(response.status, body);
}

// How many bytes the server holds of the upload at `url`; null when it is unknown there
// (expired after 24 h, or started by another user on this phone).
async function heldAt(url, signal) {
  const response = await request(url, 'HEAD', {}, undefined, signal);
  if (response.status === 404) return null;
  if (!response.ok) throw await refusal(response);
  return Number(response.headers.get('Upload-Offset'));
}

async function create(fields, blob, sha256, signal) {
  const metadata = { ...fields, sha256, filename: blob.name || '' };
  const pairs = Object.entries(metadata).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k} ${toBase64(String(v))}`);
  const response = await request(ENDPOINT, 'POST', { 'Upload-Length': String(blob.size), 'Upload-Metadata': pairs.join(',') },
    undefined, signal);
  if (response.status !== 201) throw await refusal(response);
  return new URL(response.headers.get('Location'), location.href).pathname;
}

export async function sendResumable(fields, blob, { onProgress = () => {}, signal } = {}) {
  const mediaId = fields.id;
  let saved = remembered(mediaId, blob.size);
  let failures = 0;
  let offset = null;
  for (;;) {
    try {
      if (saved) offset = await heldAt(saved.url, signal);
      if (offset === null) { // nothing on the server yet (or any more): start anew
        const sha256 = saved?.sha256 || await sha256Hex(blob, signal);
        saved = { url: await create(fields, blob, sha256, signal), sha256, size: blob.size };
        remember(mediaId, saved);
        offset = 0;
      }
      onProgress(offset, blob.size);
      for (;;) {
        const response = await request(saved.url, 'PATCH', {
          'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream',
        }, blob.slice(offset, Math.min(blob.size, offset + CHUNK)), signal);
        if (response.status === 204) {
          offset = Number(response.headers.get('Upload-Offset'));
          failures = 0;
          onProgress(offset, blob.size);
        } else if (response.ok) { // the last chunk: filed
          forget(mediaId);
          onProgress(blob.size, blob.size);
          return { status: response.status, body: await response.json() };
        } else if (response.status === 409 && response.headers.has('Upload-Offset')) {
          offset = Number(response.headers.get('Upload-Offset')); // another tab sent some: go on from there
          if (!(offset >= 0)) throw await refusal(response);
          await sleep(1000, signal);
        } else if (response.status === 404) {
          offset = null; // expired: start anew
          saved = null;
          break;
        } else if (response.status >= 500) {
          throw new TypeError('server');
        } else {
          forget(mediaId); // refused for good: the server says why
          throw await refusal(response);
        }
      }
    } catch (error) {
      if (error instanceof ApiError || signal?.aborted) throw error;
      failures += 1;
      if (failures > RETRIES) throw new TypeError('network');
      await sleep(Math.min(30_000, 1000 * 2 ** failures), signal);
      offset = null; // ask the server how much it holds
    }
  }
}

// ---------------------------------------------------------------------------- SHA-256

// The file's SHA-256 in hex, which the server compares with what it received. The
// browser's digest needs the whole file in memory: past SUBTLE_MAX the file is hashed
// slice by slice here instead.
export async function sha256Hex(blob, signal) {
  if (blob.size <= SUBTLE_MAX) {
    return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())));
  }
  const hash = new Sha256();
  for (let start = 0; start < blob.size; start += HASH_SLICE) {
    signal?.throwIfAborted();
    hash.update(new Uint8Array(await blob.slice(start, start + HASH_SLICE).arrayBuffer()));
  }
  return hex(hash.digest());
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// SHA-256 (FIPS 180-4) fed in pieces, for files too large to hold in memory.
class Sha256 {
  constructor() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Uint32Array(64);
    this.block = new Uint8Array(64);
    this.filled = 0;
    this.length = 0;
  }

  update(bytes) {
    this.length += bytes.length;
    let i = 0;
    if (this.filled) {
      const take = Math.min(64 - this.filled, bytes.length);
      this.block.set(bytes.subarray(0, take), this.filled);
      this.filled += take;
      i = take;
      if (this.filled < 64) return;
      this.compress(this.block, 0);
      this.filled = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    this.block.set(bytes.subarray(i), 0);
    this.filled = bytes.length - i;
  }

  digest() {
    const bits = this.length * 8;
    const tail = new Uint8Array(((this.filled + 8) >> 6 << 6) + 64 - this.filled);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(tail.length - 4, bits >>> 0);
    this.update(tail);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    this.h.forEach((word, n) => outView.setUint32(n * 4, word));
    return out;
  }

  compress(bytes, at) {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const j = at + t * 4;
      w[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = this.h;
    for (let t = 0; t < 64; t++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    const hh = this.h;
    hh[0] += a; hh[1] += b; hh[2] += c; hh[3] += d; hh[4] += e; hh[5] += f; hh[6] += g; hh[7] += h;
  }
}
