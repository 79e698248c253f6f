// The offline outbox: everything an inspector does is written to IndexedDB first — visit
// drafts, photos as Blobs, and the requests that will file them ("ops") — and replayed to
// the server in dependency order when it can be reached. Every record carries a client
// UUID and every request is idempotent, so a replay cut half way is simply run again.
//
// A phone may be shared: each user's drafts, photos, queue and kept data live in a
// database of their own (field-dossier:<user id>), opened only once the server (or this
// device's last sign-in) says who is signed in. One tab at a time replays a user's queue
// (a Web Lock); the others follow its progress through a BroadcastChannel.
import { deleteDB, openDB } from 'idb';

import { api, ApiError, csrfToken } from './api.js';
import { sendResumable } from './resumable.js';
import { zipOf } from './zip.js';

const LEGACY = 'field-dossier'; // before per-user databases: everyone's data in one

function open(name) {
  return openDB(name, 1, {
    // New versions only ever add stores: an app update never drops queued work.
    upgrade(db) {
      db.createObjectStore('ops', { keyPath: 'id' });
      db.createObjectStore('drafts', { keyPath: 'id' });
      db.createObjectStore('photos', { keyPath: 'id' }).createIndex('visit', 'visit');
      db.createObjectStore('cache', { keyPath: 'path' });
    },
  });
}

let user = null; // the signed-in user: only their database is open
let dbPromise = null;
const database = () => dbPromise || Promise.reject(new Error('Nobody is signed in on this device.'));

// This user's queued work from the single database of earlier versions moves into theirs;
// what was kept for offline use there (nobody's in particular) is dropped, and so are the
// colleagues' names every user shared (each user's are learnt again from their visits).
async function adoptLegacy(id, db) {
  ['roster', 'colleagues'].forEach((name) => localStorage.removeItem(name)); // shared names: learnt again per user
  if (!(await indexedDB.databases?.())?.some((d) => d.name === LEGACY)) return;
  const old = await open(LEGACY);
  const ops = (await old.getAll('ops')).filter((op) => op.user === id);
  const drafts = (await old.getAll('drafts')).filter((d) => d.user === id);
  const visits = new Set([...drafts.map((d) => d.id), ...ops.map((op) => op.visit)]);
  const photos = (await old.getAll('photos')).filter((p) => visits.has(p.visit));
  const tx = db.transaction(['ops', 'drafts', 'photos'], 'readwrite');
  ops.forEach((op) => tx.objectStore('ops').put(op));
  drafts.forEach((d) => tx.objectStore('drafts').put(d));
  photos.forEach((p) => tx.objectStore('photos').put(p));
  await tx.done;
  const clean = old.transaction(['ops', 'drafts', 'photos', 'cache'], 'readwrite');
  ops.forEach((op) => clean.objectStore('ops').delete(op.id));
  drafts.forEach((d) => clean.objectStore('drafts').delete(d.id));
  photos.forEach((p) => clean.objectStore('photos').delete(p.id));
  clean.objectStore('cache').clear();
  await clean.done;
  const left = (await old.count('ops')) + (await old.count('drafts'));
  old.close();
  if (left === 0) await deleteDB(LEGACY);
}

// A key of this device's localStorage that belongs to the signed-in user.
export const userKey = (name) => `${name}:${user}`;

// ------------------------------------------------------------------ drafts and photos

export const drafts = {
  get: async (id) => (await database()).get('drafts', id),
  put: async (draft) => (await database()).put('drafts', draft),
  all: async () => (await database()).getAll('drafts'),
};

export const photos = {
  get: async (id) => (await database()).get('photos', id),
  put: async (photo) => (await database()).put('photos', photo),
  remove: async (id) => (await database()).delete('photos', id),
  ofVisit: async (visitId) => (await database()).getAllFromIndex('photos', 'visit', visitId),
};

// ------------------------------------------------------------------ data for offline use

// GET through the network, kept for when there is none: { data, cachedAt } (cachedAt is
// null for a fresh answer). API errors (401, 404…) are thrown; no network and nothing kept
// throws the network error.
export async function cachedApi(path) {
  const db = await database();
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
const RETRIED = [408, 425, 429]; // client errors that pass: the same request later succeeds
let running = null;
let again = null; // a replay asked for during a run: { force } of the strongest ask
let timer = null;
let sessionEnded = null; // called on a 401: the page leads to sign-in
// loaded: the queue has been read once; sending: the id of the op on its way
const state = { ops: [], loaded: false, progress: {}, sending: null, running: false, lastError: null };
const listeners = new Set();
const tabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('field-dossier-outbox');

export const queued = () => state.ops.length;

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
  const of = dbPromise;
  if (!of) {
    publish({ ops: [], loaded: true, progress: {}, sending: null, lastError: null });
    return [];
  }
  const ops = await (await of).getAll('ops');
  if (of !== dbPromise) return []; // another user signed in meanwhile: theirs is shown
  ops.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.created.localeCompare(b.created));
  publish({ ops, loaded: true });
  return ops;
}

// Another tab changed this user's queue (or is uploading a photo of it): show the same.
function changed(progress, uploading = false) {
  tabs?.postMessage({ user, progress, uploading });
}
tabs?.addEventListener('message', ({ data }) => {
  if (data.user !== user) return;
  if (data.progress) publish({ progress: data.progress });
  if (!data.uploading) refresh();
});

// Who is signed in on this device (null: nobody). Called before any screen of theirs
// reads a draft or kept data, so that no screen ever sees another user's.
export function setUser(id, onSessionEnded) {
  sessionEnded = onSessionEnded;
  if (id === user) return refresh().then(() => id && replay());
  clearTimeout(timer);
  const previous = dbPromise;
  user = id;
  dbPromise = id ? open(`${LEGACY}:${id}`).then(async (db) => {
    await adoptLegacy(id, db).catch(() => null);
    return db;
  }) : null;
  previous?.then((db) => db.close());
  publish({ ops: [], loaded: false, progress: {}, sending: null, lastError: null });
  return refresh().then(() => id && replay());
}

// Queue ops (and save the draft that produced them) in one transaction: both or neither.
export async function enqueue(ops, draft) {
  const db = await database();
  const tx = db.transaction(['ops', 'drafts'], 'readwrite');
  const created = new Date().toISOString();
  for (const op of ops) tx.objectStore('ops').put({ status: 'pending', attempts: 0, nextAt: 0, error: null, created, ...op });
  if (draft) tx.objectStore('drafts').put(draft);
  await tx.done;
  await refresh();
  changed();
  navigator.serviceWorker?.ready.then((reg) => reg.sync?.register('outbox')).catch(() => null);
  replay();
}

// Change a stored op, only if it is still there (another tab may have sent it meanwhile).
async function update(db, id, change) {
  const tx = db.transaction('ops', 'readwrite');
  const op = await tx.store.get(id);
  if (op) await tx.store.put({ ...op, ...change(op) });
  await tx.done;
  return !!op;
}

// Send again an op that failed with a reason (after the cause was dealt with).
export async function retry(id) {
  await update(await database(), id, () => ({ status: 'pending', error: null, nextAt: 0 }));
  await refresh();
  changed();
  return replay({ force: true });
}

// A visit the server refused, opened again to correct it: its draft becomes editable and
// its requests leave the queue (submitting it queues them anew); its photos stay.
export async function reopen(visitId) {
  const db = await database();
  const tx = db.transaction(['ops', 'drafts'], 'readwrite');
  for (const op of await tx.objectStore('ops').getAll()) {
    if (op.visit === visitId && op.kind !== 'media' && (op.kind !== 'plan' || op.status === 'failed')) tx.objectStore('ops').delete(op.id);
  }
  const draft = await tx.objectStore('drafts').get(visitId);
  if (draft) tx.objectStore('drafts').put({ ...draft, status: 'draft' });
  await tx.done;
  await refresh();
  changed();
}

// What the server refused, kept in a file: the request (the record as sent), the draft it
// came from and the photos of its visit still on this phone, as a ZIP; the op is marked
// saved, and only then may it be removed from the queue.
export async function saveToFile(id) {
  const db = await database();
  const op = await db.get('ops', id);
  if (!op) return;
  const draft = op.visit ? await db.get('drafts', op.visit) : null;
  const shots = op.kind === 'media' ? [await db.get('photos', op.photo)].filter(Boolean)
    : op.visit ? await db.getAllFromIndex('photos', 'visit', op.visit) : [];
  const entries = [{ name: 'request.json', data: JSON.stringify(op, null, 2) }];
  if (draft) entries.push({ name: 'draft.json', data: JSON.stringify(draft, null, 2) });
  for (const p of shots) entries.push({ name: `photos/${p.id}-${p.name}`, data: p.blob });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await zipOf(entries));
  link.download = `${op.label || op.kind}-${op.kind}-${op.id.slice(0, 8)}.zip`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  await update(db, id, () => ({ savedAt: new Date().toISOString() }));
  await refresh();
  changed();
}

// Remove a refused op once it is saved to a file (never before: nothing is dropped unseen).
export async function discard(id) {
  const db = await database();
  const op = await db.get('ops', id);
  if (!op?.savedAt || op.status !== 'failed') return;
  const tx = db.transaction(['ops', 'photos'], 'readwrite');
  tx.objectStore('ops').delete(id);
  if (op.kind === 'media') tx.objectStore('photos').delete(op.photo);
  await tx.done;
  await refresh();
  changed();
}

// Replay whatever is ready; `force` ignores the backoff ("send now"). One run at a time
// on this device: a call during a run asks for another run after it, as forceful.
export function replay({ force = false } = {}) {
  if (!user) return Promise.resolve(true);
  if (running) {
    again = { force: force || !!again?.force };
    return running;
  }
  const forUser = user;
  const locked = (fn) => (navigator.locks ? navigator.locks.request(`field-dossier-outbox:${forUser}`, fn) : fn());
  running = locked(() => run(force, forUser)).finally(() => {
    running = null;
    publish({ running: false });
    if (again) {
      const next = again;
      again = null;
      replay(next);
    }
  });
  return running;
}

// An op whose photos were refused does not wait on them: it is sent without them (the
// refusal stays in the outbox with what to do).
const ready = (op, byId) => op.deps.every((dep) => !byId[dep] || (byId[dep].kind === 'media' && byId[dep].status === 'failed'));

function withoutRefused(op, byId) {
  const refused = (id) => byId[id]?.kind === 'media' && byId[id].status === 'failed';
  if (op.kind === 'visit') {
    return { ...op.body, answers: op.body.answers.map((a) => ({ ...a, media: (a.media || []).filter((m) => !refused(m)) })) };
  }
  if (op.kind === 'notice' && refused(op.body.photo_id)) return { ...op.body, photo_id: null };
  return op.body;
}

async function run(force, forUser) {
  if (!forUser || forUser !== user) return true;
  clearTimeout(timer);
  publish({ running: true });
  const db = await database();
  for (;;) {
    if (forUser !== user) return false; // signed out meanwhile: the rest waits for them
    const ops = await refresh();
    const byId = Object.fromEntries(ops.map((op) => [op.id, op]));
    const now = Date.now();
    const op = ops.find((o) => o.status === 'pending' && (force || o.nextAt <= now) && ready(o, byId));
    if (!op) break;
    publish({ sending: op.id });
    try {
      await send(op, byId, db);
      await settle(db, op);
      publish({ lastError: null });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        publish({ lastError: reasonOf(error) });
        sessionEnded?.();
        return false; // everything stays queued; signing in again resumes
      }
      const reason = reasonOf(error);
      const permanent = reason.status >= 400 && reason.status < 500 && !RETRIED.includes(reason.status);
      await update(db, op.id, (stored) => {
        const attempts = stored.attempts + 1;
        return {
          attempts, error: reason, status: permanent ? 'failed' : 'pending',
          nextAt: permanent ? 0 : Date.now() + Math.min(MAX_BACKOFF_MS, 2000 * 2 ** (attempts - 1)),
        };
      });
      publish({ lastError: reason });
      if (!permanent) break; // no network or a server in trouble: wait, then everything again
    } finally {
      const { [op.id]: _, ...progress } = state.progress;
      publish({ progress, sending: null });
      changed(progress);
    }
  }
  const ops = await refresh();
  const waiting = ops.filter((o) => o.status === 'pending').map((o) => o.nextAt);
  if (waiting.length) timer = setTimeout(() => replay(), Math.max(1000, Math.min(...waiting) - Date.now()));
  return waiting.length === 0;
}

// A sent op leaves the queue. A photo stays on the phone until its visit is filed (to open
// the visit again, or save it to a file); a filed visit takes its draft and its photos
// along, except photos still waiting to be sent.
async function settle(db, op) {
  const tx = db.transaction(['ops', 'photos', 'drafts'], 'readwrite');
  tx.objectStore('ops').delete(op.id);
  if (op.kind === 'media') {
    const photo = await tx.objectStore('photos').get(op.photo);
    const unfiled = photo && op.visit && (await tx.objectStore('drafts').get(op.visit) || await tx.objectStore('ops').get(op.visit));
    if (unfiled) tx.objectStore('photos').put({ ...photo, sent: true });
    else if (photo) tx.objectStore('photos').delete(op.photo);
  }
  if (op.kind === 'visit') {
    tx.objectStore('drafts').delete(op.visit);
    const queued = new Set((await tx.objectStore('ops').getAll()).map((o) => o.photo).filter(Boolean));
    for (const p of await tx.objectStore('photos').index('visit').getAll(op.visit)) {
      if (!queued.has(p.id)) tx.objectStore('photos').delete(p.id);
    }
  }
  await tx.done;
}

async function send(op, byId, db) {
  if (op.kind !== 'media') return api(op.path, { method: 'POST', body: withoutRefused(op, byId) });
  const photo = await db.get('photos', op.photo);
  if (!photo) throw new ApiError(410, { code: 'photo_missing_here' });
  return sendPhoto(op, photo, (loaded, total) => {
    const progress = { ...state.progress, [op.id]: { loaded, total } };
    publish({ progress });
    changed(progress, true);
  });
}

// A photo (or video): past RESUMABLE_FROM bytes in chunks that survive a cut, a reload or
// an app update (tus, resumable.js); smaller ones in one multipart request through
// XMLHttpRequest, whose upload events give the bytes sent. Either resolves with the
// server's record or rejects with ApiError (refused) or TypeError (no network).
const RESUMABLE_FROM = 1024 * 1024;

export async function sendPhoto(op, photo, onProgress) {
  if (photo.size < RESUMABLE_FROM) return sendWhole(op, photo, onProgress);
  const fields = Object.fromEntries(Object.entries(op.fields).filter(([, value]) => value !== null && value !== undefined));
  const { body } = await sendResumable(fields, new File([photo.blob], photo.name, { type: photo.blob.type }), { onProgress });
  return body;
}

function sendWhole(op, photo, onProgress) {
  const form = new FormData();
  for (const [key, value] of Object.entries(op.fields)) if (value !== null && value !== undefined) form.append(key, value);
  form.append('file', photo.blob, photo.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/media');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.min(photo.size, event.loaded), photo.size);
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
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.ontimeout = xhr.onerror;
    xhr.send(form);
  });
}

// Why a request did not go through, as data the outbox screen words: the HTTP status
// (0: no network), the server's words, their code and params (errors.js) and the field they are about.
export function reasonOf(error) {
  if (!(error instanceof ApiError)) return { status: 0, detail: '', key: null };
  const key = error.body?.extra?.[0]?.key ?? null;
  const { detail = '', code = null, params = {} } = error.body || {};
  return { status: error.status, detail, code, params, key };
}

// The replay's triggers besides the start (setUser) and "send now": the network returning,
// and the service worker's Background Sync.
addEventListener('online', () => replay({ force: true }));
navigator.serviceWorker?.addEventListener('message', (event) => {
  if (event.data?.type !== 'replay') return;
  replay({ force: true }).then((ok) => event.ports[0]?.postMessage({ ok }));
});
