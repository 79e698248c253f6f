// Field Dossier PWA: the shell and the route table. Each screen lives in screens/.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api } from './api.js';
import { lang, t, toggleLanguage } from './i18n.js';
import { Link, navigate, usePath } from './router.js';
import { Enrol, SignIn } from './screens/auth.js';
import { Enterprise, Registry } from './screens/registry.js';
import './style.css';

// ---------------------------------------------------------------- the app

// Signed-in screens: a path pattern whose groups become the screen's `params`.
const ROUTES = [
  [/^\/$/, Registry],
  [/^\/enterprises\/([0-9a-f-]{36})$/, Enterprise],
];

function route(path, me) {
  for (const [pattern, Screen] of ROUTES) {
    const match = path.match(pattern);
    if (match) return html`<${Screen} params=${match.slice(1)} me=${me} />`;
  }
  return html`<main><p>${t('notFound')}</p></main>`;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState(undefined); // undefined: not known yet; null: signed out
  const [, setLang] = useState(lang);

  useEffect(() => {
    api('/api/me').then(setMe).catch(() => setMe(null));
  }, []);

  let screen;
  const enrolment = path.match(/^\/enrol\/([^/]+)$/);
  if (enrolment) screen = html`<${Enrol} token=${enrolment[1]} onSignedIn=${setMe} />`;
  else if (path === '/sign-in') screen = html`<${SignIn} onSignedIn=${setMe} />`;
  else if (me === undefined) screen = html`<p class="muted centre">${t('loading')}</p>`;
  else if (me === null) screen = html`<${SignIn} onSignedIn=${setMe} />`;
  else screen = route(path, me);

  const signOut = async () => {
    await api('/api/me/sign-out', { method: 'POST' }).catch(() => null);
    setMe(null);
    navigate('/sign-in');
  };
  const switchLanguage = () => {
    toggleLanguage();
    setLang(lang);
  };
  return html`
    <header>
      <${Link} href="/" class="brand">${t('app')}<//>
      ${me && html`<span class="who">${me.display_name} · ${t('roles')[me.role]}</span>`}
      <button class="link" onClick=${switchLanguage}>${t('language')}</button>
      ${me && html`<button class="link" onClick=${signOut}>${t('signOut')}</button>`}
    </header>
    ${screen}`;
}

document.documentElement.lang = lang;
render(html`<${App} />`, document.getElementById('app'));
