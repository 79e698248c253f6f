// WebAuthn ceremonies against /api/auth: the server sends options as JSON, the browser
// answers with credential.toJSON().
import { api } from './api.js';

export const passkeysSupported = () =>
  !!window.PublicKeyCredential && typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function';

export async function enrol(invitationToken) {
  const { ceremony, options } = await api('/api/auth/enrol/options', { method: 'POST', body: { invitation: invitationToken } });
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
  });
  return api('/api/auth/enrol', {
    method: 'POST',
    body: { ceremony, credential: credential.toJSON(), label: navigator.platform || '' },
  });
}

export async function signIn() {
  const { ceremony, options } = await api('/api/auth/sign-in/options', { method: 'POST' });
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  });
  return api('/api/auth/sign-in', { method: 'POST', body: { ceremony, credential: credential.toJSON() } });
}
