// The JSON API: cookies carry the session; writes echo the CSRF cookie in a header.
import { sayAnswer } from './errors.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(sayAnswer(status, body)); // in the user's language (errors.js)
    this.status = status;
    this.body = body;
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|; )dossier_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
