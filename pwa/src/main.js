// Field Dossier PWA: the shell, passkey enrolment and sign-in, and the registry.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from './api.js';
import { enrol, passkeysSupported, signIn } from './passkeys.js';
import { formatDate, lang, t, toggleLanguage } from './i18n.js';
import './style.css';

// ---------------------------------------------------------------- routing

function navigate(path) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

function Link({ href, children, ...rest }) {
  const go = (event) => {
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${go} ...${rest}>${children}</a>`;
}

// An expired session leads back to sign-in, then returns to where the user was.
function signInAgain() {
  sessionStorage.setItem('afterSignIn', location.pathname + location.search);
  navigate('/sign-in');
}

function useApi(path) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let live = true;
    setState({ data: null, error: null });
    api(path)
      .then((data) => live && setState({ data, error: null }))
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) signInAgain();
        else if (live) setState({ data: null, error });
      });
    return () => (live = false);
  }, [path]);
  return state;
}

// ---------------------------------------------------------------- screens

function Problem({ error }) {
  return error ? html`<p class="problem" role="alert">${error.message}</p>` : null;
}

function PasskeyButton({ label, busyLabel, action, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  if (!passkeysSupported()) return html`<p class="problem">${t('unsupported')}</p>`;
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      onDone(await action());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <button class="primary" onClick=${run} disabled=${busy}>${busy ? busyLabel : label}</button>
    <${Problem} error=${error} />`;
}

function SignIn({ onSignedIn }) {
  const done = (me) => {
    onSignedIn(me);
    navigate(sessionStorage.getItem('afterSignIn') || '/');
    sessionStorage.removeItem('afterSignIn');
  };
  return html`<main class="centre">
    <h1>${t('app')}</h1>
    <p>${t('signInHint')}</p>
    <${PasskeyButton} label=${t('signIn')} busyLabel=${t('signingIn')} action=${signIn} onDone=${done} />
  </main>`;
}

function Enrol({ token, onSignedIn }) {
  const { data: invitation, error } = useApi(`/api/auth/invitations/${encodeURIComponent(token)}`);
  const done = (me) => {
    onSignedIn(me);
    navigate('/');
  };
  return html`<main class="centre">
    <h1>${t('enrolTitle')}</h1>
    <${Problem} error=${error} />
    ${invitation && html`
      <p class="lead">${t('enrolFor')(invitation.display_name, t('roles')[invitation.role])}</p>
      <p>${t('enrolHint')}</p>
      <${PasskeyButton} label=${t('enrol')} busyLabel=${t('enrolling')} action=${() => enrol(token)} onDone=${done} />`}
  </main>`;
}

// Today's date in Asia/Shanghai as YYYY-MM-DD, to compare with the API's dates.
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

const LICENCE_LABEL = { missing: 'licenceMissing', expiring: 'licenceExpiring', valid: 'licenceValid' };

function Registry() {
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState('');
  const [pages, setPages] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState({ loading: true, error: null });

  const load = async (after) => {
    const params = new URLSearchParams({ limit: '30' });
    if (q.trim()) params.set('q', q.trim());
    const [key, value] = filter.split('=');
    if (value) params.set(key, value);
    if (after) params.set('cursor', after);
    setState({ loading: true, error: null });
    try {
      const page = await api(`/api/enterprises?${params}`);
      setPages((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setState({ loading: false, error: null });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return signInAgain();
      setState({ loading: false, error });
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(null), 250);
    return () => clearTimeout(timer);
  }, [q, filter]);

  const filters = [['', 'all'], ['due=overdue', 'overdue'], ['due=due', 'dueSoon'],
    ['licence=missing', 'licenceMissing'], ['licence=expiring', 'licenceExpiring']];
  return html`<main>
    <h1>${t('registry')}</h1>
    <input type="search" class="search" placeholder=${t('search')} value=${q} onInput=${(e) => setQ(e.target.value)} />
    <div class="chips" role="group">
      ${filters.map(([value, key]) => html`
        <button class=${filter === value ? 'chip on' : 'chip'} aria-pressed=${filter === value}
          onClick=${() => setFilter(value)}>${t(key)}</button>`)}
    </div>
    <${Problem} error=${state.error} />
    <ul class="cards">
      ${pages.map((e) => html`<li key=${e.id}>
        <${Link} href=${`/enterprises/${e.id}`} class="card">
          <strong>${e.name}</strong>
          <span class="muted">${e.county_name} · ${t('categories')[e.category]} · ${t('riskGrade')} ${e.risk_grade}</span>
          <span class="badges">
            <span class=${`badge ${e.licence_state}`}>${t(LICENCE_LABEL[e.licence_state])}</span>
            ${e.next_due_on && html`<span class=${e.next_due_on < today() ? 'badge missing' : 'badge'}>
              ${t('nextDue')} ${formatDate(e.next_due_on)}</span>`}
          </span>
        <//>
      </li>`)}
    </ul>
    ${!state.loading && !state.error && pages.length === 0 && html`<p class="empty">${t('noEnterprises')}</p>`}
    ${state.loading && html`<p class="muted">${t('loading')}</p>`}
    ${cursor && !state.loading && html`<button class="secondary" onClick=${() => load(cursor)}>${t('loadMore')}</button>`}
  </main>`;
}

function Enterprise({ id }) {
  const { data: e, error } = useApi(`/api/enterprises/${id}`);
  return html`<main>
    <button class="link" onClick=${() => history.back()}>← ${t('back')}</button>
    <${Problem} error=${error} />
    ${e && html`
      <h1>${e.name}</h1>
      <dl>
        <dt>${t('uscc')}</dt><dd class="mono">${e.uscc}</dd>
        <dt>${t('address')}</dt><dd>${e.address}</dd>
        <dt>${t('county')}</dt><dd>${e.county_name}</dd>
        <dt>${t('riskGrade')}</dt><dd>${e.risk_grade} · ${t('categories')[e.category]}</dd>
      </dl>
      <h2>${t('licences')}</h2>
      ${e.licences.length === 0 ? html`<p class="empty">${t('none')}</p>` : html`<ul class="plain">
        ${e.licences.map((l) => html`<li key=${l.id}><span class="mono">${l.number}</span> ${l.scope}
          <span class="muted">${t('validUntil')} ${formatDate(l.valid_to)}</span></li>`)}
      </ul>`}
      <h2>${t('controlPoints')}</h2>
      ${e.control_points.length === 0 ? html`<p class="empty">${t('none')}</p>` : html`<ol class="plain">
        ${e.control_points.map((p) => html`<li key=${p.id}>${p.name} <span class="muted">${p.location}</span></li>`)}
      </ol>`}
      <h2>${t('contacts')}</h2>
      <ul class="plain">
        ${e.contacts.map((c) => html`<li>${c.name} <span class="muted">${c.role}</span> <a href=${`tel:${c.phone}`}>${c.phone}</a></li>`)}
      </ul>`}
  </main>`;
}

// ---------------------------------------------------------------- the app

function App() {
  const path = usePath();
  const [me, setMe] = useState(undefined); // undefined: not known yet; null: signed out
  const [, setLang] = useState(lang);

  useEffect(() => {
    api('/api/me').then(setMe).catch(() => setMe(null));
  }, []);

  const enrolment = path.match(/^\/enrol\/([^/]+)$/);
  const enterprise = path.match(/^\/enterprises\/([0-9a-f-]{36})$/);
  let screen;
  if (enrolment) screen = html`<${Enrol} token=${enrolment[1]} onSignedIn=${setMe} />`;
  else if (path === '/sign-in') screen = html`<${SignIn} onSignedIn=${setMe} />`;
  else if (me === undefined) screen = html`<p class="muted centre">${t('loading')}</p>`;
  else if (me === null) screen = html`<${SignIn} onSignedIn=${setMe} />`;
  else if (path === '/') screen = html`<${Registry} />`;
  else if (enterprise) screen = html`<${Enterprise} id=${enterprise[1]} />`;
  else screen = html`<main><p>${t('notFound')}</p></main>`;

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
