// Client-side routing, the shared data hooks and the expired-session rule.
import { useEffect, useRef, useState } from 'preact/hooks';
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

// GET a path: { data, error, reload }. A reload keeps the data shown until the new answer.
export function useApi(path) {
  const [version, setVersion] = useState(0);
  const [state, setState] = useState({ data: null, error: null });
  const shown = useRef(path);
  useEffect(() => {
    let live = true;
    if (shown.current !== path) setState({ data: null, error: null });
    shown.current = path;
    api(path)
      .then((data) => live && setState({ data, error: null }))
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) signInAgain();
        else if (live) setState({ data: null, error });
      });
    return () => (live = false);
  }, [path, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

// A keyset-paged list at `path` (its query, without a cursor): the first page whenever the
// path changes, `more()` for the next. `page` is the last page received (fields beside the
// items, such as an archive's counts, come with it); `drop(id)` takes an item off the list.
export function usePages(path) {
  const [state, setState] = useState({ items: [], page: null, loading: true, error: null });
  const asked = useRef(path);
  const load = async (after) => {
    const forPath = path;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const page = await api(after ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(after)}` : path);
      if (asked.current === forPath) setState((s) => ({ items: after ? [...s.items, ...page.items] : page.items, page, loading: false, error: null }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signInAgain();
      else if (asked.current === forPath) setState((s) => ({ ...s, loading: false, error }));
    }
  };
  useEffect(() => {
    asked.current = path;
    load(null);
  }, [path]);
  const cursor = state.page?.next_cursor || null;
  return {
    ...state,
    cursor,
    more: () => load(cursor),
    drop: (id) => setState((s) => ({ ...s, items: s.items.filter((item) => item.id !== id) })),
  };
}
