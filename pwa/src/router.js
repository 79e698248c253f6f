// Client-side routing, the shared data hook and the expired-session rule.
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

import { api, ApiError } from './api.js';

export function navigate(path) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

export function Link({ href, children, ...rest }) {
  const go = (event) => {
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${go} ...${rest}>${children}</a>`;
}

// An expired session leads back to sign-in, then returns to where the user was (a second
// 401 met on the sign-in screen must not make the sign-in screen that place).
export function signInAgain() {
  if (location.pathname === '/sign-in') return;
  sessionStorage.setItem('afterSignIn', location.pathname + location.search);
  navigate('/sign-in');
}

export function useApi(path) {
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

