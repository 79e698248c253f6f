// The offline outbox: everything an inspector does is written to IndexedDB first — visit
// drafts, photos as Blobs, and the requests that will file them ("ops") — and replayed to
// the server in dependency order when it can be reached. Every record carries a client
// UUID and every request is idempotent, so a replay cut half way is simply run again.
import { openDB } from 'idb';

import { api, ApiError, csrfToken } from './api.js';

const dbPromise = openDB('field-dossier', 1, {
  // New versions only ever add stores: an app update never drops queued work.
  upgrade(db) {
    db.createObjectStore('ops', { keyPath: 'id' });
    db.createObjectStore('drafts', { keyPath: 'id' });
    db.createObjectStore('photos', { keyPath: 'id' }).createIndex('visit', 'visit');
    db.createObjectStore('cache', { keyPath: 'path' });
  },
});

// ------------------------------------------------------------------ drafts and photos

export const drafts = {
  get: async (id) => (await dbPromise).get('drafts', id),
  put: async (draft) => (await dbPromise).put('drafts', draft),
  all: async () => (await dbPromise).getAll('drafts'),
};

export const photos = {
  get: async (id) => (await dbPromise).get('photos', id),
  put: async (photo) => (await dbPromise).put('photos', photo),
  remove: async (id) => (await dbPromise).delete('photos', id),
  ofVisit: async (visitId) => (await dbPromise).getAllFromIndex('photos', 'visit', visitId),
};

// ------------------------------------------------------------------ data for offline use

// GET through the network, kept for when there is none: { data, cachedAt } (cachedAt is
// null for a fresh answer). API errors (401, 404…) are thrown; no network and nothing kept
// throws the network error.
export async function cachedApi(path) {
  const db = await dbPromise;
  try {
    const data = await api(path);
    await db.put('cache', { path, data, at: new Date().toISOString() });
    return { data, cachedAt: null };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const kept = await db.get('cache', path);
    if (!kept) throw error;
    return { data: kept.data, cachedAt: kept.at };
  }
}

// ------------------------------------------------------------------ the queue

const ORDER = { media: 0, plan: 1, visit: 2, notice: 3 }; // photos before the visit citing them, the visit before its notices
const MAX_BACKOFF_MS = 5 * 60_000;
let user = null; // ops are replayed only for the user who made them
let running = null;
let again = false;
let timer = null;
let sessionEnded = null; // called on a 401: the page leads to sign-in
const state = { ops: [], loaded: false, progress: {}, running: false, lastError: null }; // loaded: the queue has been read once
const listeners = new Set();

export function subscribe(listener) {
  listeners.add(listener);
  listener({ ...state });
  return () => listeners.delete(listener);
}

function publish(changes) {
  Object.assign(state, changes);
  for (const listener of listeners) listener({ ...state });
}

async function refresh() {
  const ops = (await (await dbPromise).getAll('ops')).filter((op) => !user || op.user === user);
  ops.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.created.localeCompare(b.created));
  publish({ ops, loaded: true });
  return ops;
}

export async function setUser(id, onSessionEnded) {
  user = id;
  sessionEnded = onSessionEnded;
  await refresh();
  if (id) replay();
}

// Queue ops (and save the draft that produced them) in one transaction: both or neither.
export async function enqueue(ops, draft) {
  const db = await dbPromise;
  const tx = db.transaction(['ops', 'drafts'], 'readwrite');
  const created = new Date().toISOString();
  for (const op of ops) tx.objectStore('ops').put({ status: 'pending', attempts: 0, nextAt: 0, error: null, created, ...op });
  if (draft) tx.objectStore('drafts').put(draft);
  await tx.done;
  await refresh();
  navigator.serviceWorker?.ready.then((reg) => reg.sync?.register('outbox')).catch(() => null);
  replay();
}

// Send again an op that failed with a reason (after the cause was dealt with).
export async function retry(id) {
  const db = await dbPromise;
  const op = await db.get('ops', id);
  if (op) await db.put('ops', { ...op, status: 'pending', error: null, nextAt: 0 });
  await refresh();
  return replay({ force: true });
}

// Replay whatever is ready; `force` ignores the backoff ("send now"). One run at a time;
// a call during a run asks for another run after it.
export function replay({ force = false } = {}) {
  if (running) {
    again = true;
    return running;
  }
  running = run(force).finally(() => {
    running = null;
    publish({ running: false });
    if (again) {
      again = false;
      replay();
    }
  });
  return running;
}

async function run(force) {
  if (!user) return true;
  clearTimeout(timer);
  publish({ running: true });
  const db = await dbPromise;
  for (;;) {
    const ops = await refresh();
    const queued = new Set(ops.map((op) => op.id));
    const now = Date.now();
    const op = ops.find((o) => o.status === 'pending' && (force || o.nextAt <= now)
      && o.deps.every((dep) => !queued.has(dep)));
    if (!op) break;
    try {
      await send(op);
      const tx = db.transaction(['ops', 'photos', 'drafts'], 'readwrite');
      tx.objectStore('ops').delete(op.id);
      if (op.kind === 'media') tx.objectStore('photos').delete(op.photo);
      if (op.kind === 'visit') tx.objectStore('drafts').delete(op.visit);
      await tx.done;
      publish({ lastError: null });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        publish({ lastError: error.message });
        sessionEnded?.();
        return false; // everything stays queued; signing in again resumes
      }
      const permanent = error instanceof ApiError && error.status < 500 && ![408, 425, 429].includes(error.status);
      const attempts = op.attempts + 1;
      await db.put('ops', {
        ...op, attempts, error: error.message,
        status: permanent ? 'failed' : 'pending',
        nextAt: permanent ? 0 : Date.now() + Math.min(MAX_BACKOFF_MS, 2000 * 2 ** (attempts - 1)),
      });
      publish({ lastError: error.message });
      if (!permanent) break; // no network or a server in trouble: wait, then everything again
    } finally {
      const { [op.id]: _, ...progress } = state.progress;
      publish({ progress });
    }
  }
  const ops = await refresh();
  const waiting = ops.filter((o) => o.status === 'pending').map((o) => o.nextAt);
  if (waiting.length) timer = setTimeout(() => replay(), Math.max(1000, Math.min(...waiting) - Date.now()));
  return waiting.length === 0;
}

async function send(op) {
  if (op.kind === 'media') return upload(op);
  return api(op.path, { method: 'POST', body: op.body });
}

// A photo: multipart through XMLHttpRequest, whose upload events give the progress bar.
async function upload(op) {
  const photo = await photos.get(op.photo);
  if (!photo) throw new ApiError(410, { detail: 'The photo is missing from this device.' });
  const form = new FormData();
  for (const [key, value] of Object.entries(op.fields)) if (value !== null && value !== undefined) form.append(key, value);
  form.append('file', photo.blob, photo.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/media');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) publish({ progress: { ...state.progress, [op.id]: event.loaded / event.total } });
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new TypeError('Network error'));
    xhr.ontimeout = xhr.onerror;
    xhr.send(form);
  });
}

// The replay's triggers besides the start (setUser) and "send now": the network returning,
// and the service worker's Background Sync.
addEventListener('online', () => replay({ force: true }));
navigator.serviceWorker?.addEventListener('message', (event) => {
  if (event.data?.type !== 'replay') return;
  replay({ force: true }).then((ok) => event.ports[0]?.postMessage({ ok }));
});
