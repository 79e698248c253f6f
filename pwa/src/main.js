// Field Dossier PWA: the shell and the route table. Each screen lives in screens/.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { addStrings, lang, t, toggleLanguage } from './i18n.js';
import { loadMe, rememberMe, signOut, startOffline } from './offline.js';
import { queued, setUser } from './outbox.js';
import { Link, navigate, signInAgain, usePath } from './router.js';
import { Admin } from './screens/admin.js';
import { Enrol, SignIn } from './screens/auth.js';
import { CoverageList, Dashboard } from './screens/dashboard.js';
import { Enterprise, Registry } from './screens/registry.js';
import { Dossier } from './screens/dossier.js';
import { Outbox, SyncBadge } from './screens/outbox.js';
import { PlanConflicts, PlanItems } from './screens/planItems.js';
import { PlanVisit } from './screens/planVisit.js';
import { PlanNew, PlanPage, Plans } from './screens/plans.js';
import { Publication } from './screens/publication.js';
import { Pending } from './screens/pending.js';
import { Returned } from './screens/returned.js';
import { Review } from './screens/review.js';
import { Today } from './screens/today.js';
import { Visit, VisitNew } from './screens/visit.js';
import './style.css';

// ---------------------------------------------------------------- the app

addStrings({
  signOutQueued: (n) => `还有 ${n} 项未发送。退出后这些记录仍保存在本机，只有您再次登录后才会发送；其他人登录看不到。确定退出？`,
}, {
  signOutQueued: (n) => `${n} items are not sent yet. They stay on this device and are sent when you sign in again; nobody else sees them. Sign out?`,
});

// Signed-in screens: a path pattern whose groups become the screen's `params`.
const ROUTES = [
  [/^\/enterprises$/, Registry],
  [/^\/enterprises\/([0-9a-f-]{36})$/, Enterprise],
  [/^\/enterprises\/([0-9a-f-]{36})\/dossier$/, Dossier],
  [/^\/review$/, Review],
  [/^\/returned$/, Returned],
  [/^\/pending$/, Pending],
  [/^\/dashboard$/, Dashboard],
  [/^\/dashboard\/(visits|findings|points)$/, CoverageList],
  [/^\/admin(?:\/(users|regions|checklists|workdays))?$/, Admin],
  [/^\/today$/, Today],
  [/^\/outbox$/, Outbox],
  [/^\/visits\/new\/([0-9a-f-]{36})$/, VisitNew],
  [/^\/visits\/plan$/, PlanVisit],
  [/^\/visits\/([0-9a-f-]{36})$/, Visit],
  [/^\/plans$/, Plans],
  [/^\/plans\/new$/, PlanNew],
  [/^\/plans\/items$/, PlanItems],
  [/^\/plans\/conflicts$/, PlanConflicts],
  [/^\/plans\/([0-9a-f-]{36})$/, PlanPage],
  [/^\/publication$/, Publication],
];

// Each role's start screen ("/") and its tabs: [path, label key].
const HOMES = {
  inspector: () => '/today',
  reviewer: () => '/review',
  enterprise: (me) => `/enterprises/${me.enterprise_id}/dossier`,
  supervisor: () => '/dashboard',
  admin: () => '/admin',
};
const TABS = {
  inspector: [['/today', 'today'], ['/outbox', 'outbox'], ['/returned', 'returnedTab'], ['/pending', 'pendingTab'], ['/enterprises', 'registry']],
  reviewer: [['/review', 'review'], ['/enterprises', 'registry']],
  supervisor: [['/dashboard', 'dashboard'], ['/plans', 'plansTab'], ['/publication', 'publicationTab'], ['/enterprises', 'registry'], ['/admin', 'people']],
  admin: [['/admin', 'admin'], ['/dashboard', 'dashboard'], ['/plans', 'plansTab'], ['/enterprises', 'registry']],
  enterprise: [],
};

function route(path, me) {
  if (path === '/') return route(HOMES[me.role]?.(me) || '/enterprises', me);
  for (const [pattern, Screen] of ROUTES) {
    const match = path.match(pattern);
    if (match) return html`<${Screen} params=${match.slice(1)} me=${me} />`;
  }
  return html`<main><p>${t('notFound')}</p></main>`;
}

function Tabs({ tabs, path }) {
  return html`<nav class="tabs">
    ${tabs.map(([href, label]) => html`<${Link} href=${href} class=${path.startsWith(href) ? 'on' : ''}>${t(label)}<//>`)}
  </nav>`;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState(undefined); // undefined: not known yet; null: signed out
  const [, setLang] = useState(lang);

  // The outbox opens the signed-in user's own data before any screen of theirs reads it.
  const signedIn = (who) => {
    setUser(who?.id || null, signInAgain);
    setMe(rememberMe(who));
  };
  useEffect(() => {
    loadMe().then(signedIn);
  }, []);

  let screen;
  const enrolment = path.match(/^\/enrol\/([^/]+)$/);
  if (enrolment) screen = html`<${Enrol} token=${enrolment[1]} onSignedIn=${signedIn} />`;
  else if (path === '/sign-in') screen = html`<${SignIn} onSignedIn=${signedIn} />`;
  else if (me === undefined) screen = html`<p class="muted centre">${t('loading')}</p>`;
  else if (me === null) screen = html`<${SignIn} onSignedIn=${signedIn} />`;
  else screen = route(path, me);

  const leave = async () => {
    if (queued() > 0 && !confirm(t('signOutQueued')(queued()))) return;
    await signOut();
    signedIn(null);
    navigate('/sign-in');
  };
  const switchLanguage = () => {
    toggleLanguage();
    setLang(lang);
  };
  return html`
    <header>
      <${Link} href="/" class="brand">${t('app')}<//>
      <${SyncBadge} me=${me} />
      ${me && html`<span class="who">${me.display_name} · ${t('roles')[me.role]}</span>`}
      <button class="link" onClick=${switchLanguage}>${t('language')}</button>
      ${me && html`<button class="link" onClick=${leave}>${t('signOut')}</button>`}
    </header>
    ${me && TABS[me.role].length > 1 && html`<${Tabs} tabs=${TABS[me.role]} path=${path} />`}
    ${screen}`;
}

document.documentElement.lang = lang;
startOffline();
render(html`<${App} />`, document.getElementById('app'));
