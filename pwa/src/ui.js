// Small pieces every screen uses.
import { html } from 'htm/preact';

// Today's date in Asia/Shanghai as YYYY-MM-DD, to compare with the API's dates.
export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

export function Problem({ error }) {
  return error ? html`<p class="problem" role="alert">${error.message}</p>` : null;
}

