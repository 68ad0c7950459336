import { useState } from 'react';
import { focusOnMount } from '../components/focus-on-mount.js';

/** Staff sign in with an API token until users with passwords exist. */
export function SignIn({
  error,
  busy,
  onSubmit,
}: {
  error: string;
  busy: boolean;
  onSubmit: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Intake</h1>
      <p>
        Paste your API token. An administrator issues tokens; the first one is printed when Intake
        starts for the first time.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onSubmit(token.trim());
        }}
      >
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            ref={focusOnMount}
            value={token}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'token-error' : undefined}
            onChange={(e) => setToken(e.target.value)}
          />
          {error ? (
            <p className="error" id="token-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
