// Starting without signal: the service worker (the app shell), persistent storage (the
// browser must not evict queued photos), and the signed-in user remembered for offline starts.
import { api, ApiError } from './api.js';

export function startOffline() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null);
  }
  navigator.storage?.persist?.().catch(() => null);
}

// Resolves once a service worker controls the page, so that every file of the app (the
// parts loaded on first use too) comes without signal; or after `ms` without one.
export function shellReady(ms = 10_000) {
  const worker = navigator.serviceWorker;
  if (!worker || worker.controller) return Promise.resolve();
  return new Promise((resolve) => {
    worker.addEventListener('controllerchange', resolve, { once: true });
    setTimeout(resolve, ms);
  });
}

// Who is signed in: the server's answer when it can be reached, else the last one seen on
// this device (a 401 from the server always wins: the session has ended). After a sign-out
// made without signal, nobody, until the server has ended that session.
export async function loadMe() {
  if (!(await flushSignOut())) return null;
  try {
    return rememberMe(await api('/api/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetMe();
      return null;
    }
    return JSON.parse(localStorage.getItem('me') || 'null');
  }
}

// The signed-in user, remembered for starts without signal (set on every sign-in).
export function rememberMe(me) {
  if (me) localStorage.setItem('me', JSON.stringify(me));
  return me;
}

export function forgetMe() {
  localStorage.removeItem('me');
}

const SIGN_OUT_PENDING = 'signOutPending';

// Sign out on this device at once, and on the server now or, without signal, as soon as
// it can be reached (flushSignOut): the app never signs anyone back in from what it kept.
export async function signOut() {
  forgetMe();
  localStorage.setItem(SIGN_OUT_PENDING, '1');
  await flushSignOut();
}

// The server's end of a sign-out made here: false while it cannot be reached.
export async function flushSignOut() {
  if (!localStorage.getItem(SIGN_OUT_PENDING)) return true;
  try {
    await api('/api/me/sign-out', { method: 'POST' });
  } catch (error) {
    // a 4xx: that session has ended already (expired, revoked); else try again later
    if (!(error instanceof ApiError) || error.status >= 500) return false;
  }
  localStorage.removeItem(SIGN_OUT_PENDING);
  return true;
}

addEventListener('online', () => flushSignOut());
