// Enrolment from an invitation link and usernameless sign-in, both with passkeys.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { flushSignOut } from '../offline.js';
import { enrol, passkeysSupported, signIn } from '../passkeys.js';
import { explain } from '../errors.js';
import { t } from '../i18n.js';
import { Link, navigate, useApi } from '../router.js';
import { Problem } from '../ui.js';

// A failed ceremony is said with its way forward (errors.js): no passkey for this site on
// this device, cancelled, already enrolled here, no network...
function PasskeyButton({ label, busyLabel, action, onDone, ceremony }) {
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
    ${error && html`<p class="problem" role="alert" data-testid="passkey-problem">${explain(error, ceremony)}</p>`}`;
}

// A sign-out still owed to the server (made without signal) goes first: the new sign-in
// must not be the session it ends.
async function signInFresh() {
  await flushSignOut();
  return signIn();
}

export function SignIn({ onSignedIn }) {
  const done = (me) => {
    onSignedIn(me);
    navigate(sessionStorage.getItem('afterSignIn') || '/');
    sessionStorage.removeItem('afterSignIn');
  };
  return html`<main class="centre">
    <h1>${t('app')}</h1>
    <p>${t('signInHint')}</p>
    <${PasskeyButton} label=${t('signIn')} busyLabel=${t('signingIn')} action=${signInFresh} onDone=${done} ceremony="signIn" />
  </main>`;
}

export function Enrol({ token, onSignedIn }) {
  const { data: invitation, error } = useApi(`/api/auth/invitations/${encodeURIComponent(token)}`);
  const done = (me) => {
    onSignedIn(me);
    navigate('/');
  };
  return html`<main class="centre">
    <h1>${t('enrolTitle')}</h1>
    <${Problem} error=${error} />
    ${error?.body?.code === 'invitation_used' && html`<${Link} class="button" href="/">${t('signIn')}<//>`}
    ${invitation && html`
      <p class="lead">${t('enrolFor')(invitation.display_name, t('roles')[invitation.role])}</p>
      <p>${t('enrolHint')}</p>
      <${PasskeyButton} label=${t('enrol')} busyLabel=${t('enrolling')} action=${async () => { await flushSignOut(); return enrol(token); }} onDone=${done}
        ceremony="enrol" />`}
  </main>`;
}

