// The token lives in localStorage so every tab of the same browser shares one sign-in; the strict
// CSP (script-src 'self') is what keeps foreign scripts away from it.
const TOKEN_KEY = 'tasks.token';

export function loadToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token === null) window.localStorage.removeItem(TOKEN_KEY);
    else window.localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled (private mode): the session then lasts as long as the tab.
  }
}

/** Calls `listener` when another tab signs in or out. */
export function onTokenChangeElsewhere(listener: (token: string | null) => void): () => void {
  const handler = (event: StorageEvent) => {
    if (event.key === TOKEN_KEY || event.key === null) listener(event.newValue);
  };
  window.addEventListener('storage', handler);
  return () => window.removeEventListener('storage', handler);
}
