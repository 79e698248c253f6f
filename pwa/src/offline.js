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
// this device (a 401 from the server always wins: the session has ended).
export async function loadMe() {
  try {
    const me = await api('/api/me');
    localStorage.setItem('me', JSON.stringify(me));
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetMe();
      return null;
    }
    return JSON.parse(localStorage.getItem('me') || 'null');
  }
}

export function forgetMe() {
  localStorage.removeItem('me');
}
