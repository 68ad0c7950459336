import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Route, Routes } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { Api, messageOf, type Session } from '../api.js';
import { getSession } from '../endpoints.js';
import { newQueryClient } from '../query-client.js';
import { forgetToken, SessionContext, storedToken, storeToken } from '../session.js';
import { AcquisitionList } from './AcquisitionList.js';
import { AcquisitionPage } from './AcquisitionPage.js';
import { SignIn } from './SignIn.js';

/** The sales workspace: sign in with an API token, then the acquisitions. */
export function StaffApp() {
  const [token, setToken] = useState(storedToken);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState('');
  const api = useMemo(() => (token ? new Api(token) : null), [token]);
  const [queryClient] = useState(newQueryClient);

  useEffect(() => {
    if (!api) return;
    getSession(api)
      .then((s) => {
        if (s.link) throw new Error('This is a customer link; open it as the link you were sent.');
        setSession(s);
      })
      .catch((e: unknown) => {
        forgetToken();
        setToken(null);
        setError(messageOf(e));
      });
  }, [api]);

  const signOut = useCallback(() => {
    // What this token read is not for the next one.
    queryClient.clear();
    forgetToken();
    setSession(null);
    setToken(null);
  }, [queryClient]);

  if (!api || !session)
    return (
      <SignIn
        error={error}
        busy={Boolean(api && !session)}
        onSubmit={(t) => {
          setError('');
          storeToken(t);
          setToken(t);
        }}
      />
    );

  return (
    <QueryClientProvider client={queryClient}>
      <SessionContext.Provider value={{ api, session, signOut }}>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <Link to="/app" className="brand">
            Intake
          </Link>
          <nav aria-label="Main">
            <ul>
              <li>
                <Link to="/app">Acquisitions</Link>
              </li>
              {session.role === 'admin' ? (
                <li>
                  <a href="/docs">API documentation</a>
                </li>
              ) : null}
            </ul>
          </nav>
          <span className="who">
            {session.name} <span className="badge">{session.role}</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Routes>
            <Route index element={<AcquisitionList />} />
            <Route path="acquisitions/:id/:tab?" element={<AcquisitionPage />} />
          </Routes>
        </main>
      </SessionContext.Provider>
    </QueryClientProvider>
  );
}
