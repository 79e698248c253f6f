// Small pieces every screen uses.
import { html } from 'htm/preact';

import { explain } from './errors.js';

// Today's date in Asia/Shanghai as YYYY-MM-DD, to compare with the API's dates.
export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

export function Problem({ error }) {
  return error ? html`<p class="problem" role="alert">${explain(error)}</p>` : null;
}

