import type { User } from '@tasks/schemas';
import { useEffect, useState } from 'react';
import { api } from './lib/api/client.js';
import { isUnauthorized, messageOf } from './lib/errors.js';
import { onTokenChangeElsewhere, saveToken } from './lib/session.js';
import { AuthScreen } from './features/auth/AuthScreen.js';
import { TasksScreen } from './features/tasks/TasksScreen.js';
import { Alert } from './components/Field.js';

type Session = { state: 'checking' } | { state: 'signed-out'; notice?: string } | { state: 'signed-in'; user: User };

/** Checks the stored token with the server; a rejected one is forgotten. */
async function resolveSession(): Promise<Session> {
  if (api.token === null) return { state: 'signed-out' };
  try {
    return { state: 'signed-in', user: await api.me() };
  } catch (error) {
    if (!isUnauthorized(error)) return { state: 'signed-out', notice: messageOf(error) };
    api.setToken(null);
    saveToken(null);
    return { state: 'signed-out', notice: 'Your session has ended. Please sign in again.' };
  }
}

export function App() {
  const [session, setSession] = useState<Session>(() =>
    api.token === null ? { state: 'signed-out' } : { state: 'checking' },
  );

  useEffect(() => {
    let active = true;
    const restore = () =>
      void resolveSession().then((next) => {
        if (active) setSession(next);
      });
    if (api.token !== null) restore();
    // Signing in or out in another tab applies here too.
    const stopListening = onTokenChangeElsewhere((token) => {
      api.setToken(token);
      restore();
    });
    return () => {
      active = false;
      stopListening();
    };
  }, []);

  const signedIn = (user: User, token: string) => {
    saveToken(token);
    setSession({ state: 'signed-in', user });
  };

  const signOut = async (notice?: string) => {
    if (notice === undefined) {
      // Revoke the token server-side; the page signs out locally even if that fails.
      await api.logout().catch(() => undefined);
    }
    api.setToken(null);
    saveToken(null);
    setSession(notice === undefined ? { state: 'signed-out' } : { state: 'signed-out', notice });
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Tasks</h1>
        {session.state === 'signed-in' && (
          <div className="account">
            <span className="account-email" data-testid="account-email">
              {session.user.email}
            </span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main>
        {session.state === 'checking' && <p className="muted">Loading…</p>}
        {session.state === 'signed-out' && (
          <>
            <Alert message={session.notice} tone="info" />
            <AuthScreen onSignedIn={signedIn} />
          </>
        )}
        {session.state === 'signed-in' && (
          <TasksScreen
            key={session.user.id}
            onSessionEnded={() => void signOut('Your session has ended. Please sign in again.')}
          />
        )}
      </main>
    </div>
  );
}
