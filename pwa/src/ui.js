// Small pieces every screen uses.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { explain } from './errors.js';
import { t } from './i18n.js';

// Today's date in Asia/Shanghai as YYYY-MM-DD, to compare with the API's dates.
export const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

export function Problem({ error }) {
  return error ? html`<p class="problem" role="alert">${explain(error)}</p>` : null;
}


// A tab's label with a count badge (none at zero): `load()` answers the count, asked again
// whenever the window hears the event `changed`. Strings by key: the language may switch.
export function CountTab({ titleKey, countKey, load, changed }) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    const refresh = () => load().then(setCount, () => setCount(null));
    refresh();
    addEventListener(changed, refresh);
    return () => removeEventListener(changed, refresh);
  }, []);
  return html`${t(titleKey)}${count ? html` <span class="count" aria-label=${t(countKey)(count)}>${count}</span>` : ''}`;
}
