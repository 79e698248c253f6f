// The service worker (VERSION and PRECACHE are injected by vite.config.js at build).
// It keeps the app shell so the app starts with no signal; it never touches IndexedDB,
// where the outbox lives, so an update can never strand queued visits or photos.
/* global VERSION, PRECACHE */
const SHELL = `shell-${VERSION}`;
const KEEP_SHELLS = 2; // this version and the one before: a page still open on it keeps its files
const NETWORK_ONLY = /^\/(api\/|schema|v\/|gs(\/|$))/; // the server's own: data, API docs, verification, published results

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const shells = (await caches.keys()).filter((key) => key.startsWith('shell-') && key !== SHELL);
    const order = await caches.open('versions');
    const known = (await (await order.match('/order'))?.json()) || [];
    const newestFirst = [SHELL, ...known.filter((key) => key !== SHELL)];
    const kept = newestFirst.slice(0, KEEP_SHELLS);
    await order.put('/order', new Response(JSON.stringify(kept)));
    await Promise.all(shells.filter((key) => !kept.includes(key)).map((key) => caches.delete(key)));
    await self.clients.claim();
  })());
});

async function fromShell(request) {
  const own = await (await caches.open(SHELL)).match(request);
  if (own) return own;
  for (const key of await caches.keys()) {
    if (!key.startsWith('shell-') || key === SHELL) continue;
    const older = await (await caches.open(key)).match(request);
    if (older) return older;
  }
  return undefined;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    // Every app path is the same index.html: from the cache at once, the network if not yet cached.
    event.respondWith(fromShell('/').then((cached) => cached || fetch(request)));
    return;
  }
  event.respondWith(fromShell(request).then((cached) => cached || fetch(request)));
});

// Background Sync: the outbox's replay runs in the page (it owns the sign-in and the
// progress display), so the worker wakes an open page and waits for its answer.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window' });
    if (pages.length === 0) return; // replayed on the next start instead
    const channel = new MessageChannel();
    const answered = new Promise((resolve) => {
      channel.port1.onmessage = (message) => resolve(message.data);
      setTimeout(() => resolve({ ok: false }), 60_000);
    });
    pages[0].postMessage({ type: 'replay' }, [channel.port2]);
    const result = await answered;
    if (!result.ok) throw new Error('outbox not yet empty'); // the browser retries the sync later
  })());
});
