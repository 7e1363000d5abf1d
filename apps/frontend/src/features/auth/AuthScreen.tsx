import type { User } from '@tasks/schemas';
import { useState } from 'react';
import { api } from '../../lib/api/client.js';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert, Field, controlProps } from '../../components/Field.js';

type Mode = 'sign-in' | 'sign-up';

export function AuthScreen({ onSignedIn }: { onSignedIn(user: User, token: string): void }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, errors, clearErrors, onSubmit } = useSubmit();

  const submit = onSubmit(() => (mode === 'sign-up' ? api.register({ email, password }) : api.login({ email, password })), {
    fields: ['email', 'password'],
    onSuccess: (auth) => onSignedIn(auth.user, auth.accessToken),
  });

  const switchMode = (next: Mode) => {
    setMode(next);
    clearErrors();
  };

  const signingUp = mode === 'sign-up';
  return (
    <section className="card auth" aria-labelledby="auth-title">
      <div className="tabs" role="group" aria-label="Account">
        <button type="button" aria-pressed={!signingUp} onClick={() => switchMode('sign-in')}>
          Sign in
        </button>
        <button type="button" aria-pressed={signingUp} onClick={() => switchMode('sign-up')}>
          Sign up
        </button>
      </div>
      <h2 id="auth-title">{signingUp ? 'Create your account' : 'Welcome back'}</h2>
      {/* The server validates (one source of truth); its field errors appear under each field. */}
      <form onSubmit={submit} noValidate>
        <Field id="auth-email" label="Email" error={errors.fields.email}>
          <input
            {...controlProps('auth-email', errors.fields.email)}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
          />
        </Field>
        <Field id="auth-password" label="Password" error={errors.fields.password}>
          <input
            {...controlProps('auth-password', errors.fields.password)}
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </Field>
        {signingUp && <p className="hint">At least 8 characters.</p>}
        <Alert message={errors.message} />
        <button type="submit" className="primary" disabled={busy}>
          {signingUp ? 'Create account' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
