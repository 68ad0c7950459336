import { createContext, useContext } from 'react';
import type { Api, Session } from './api.js';

const TOKEN_KEY = 'intake.token';

/** The staff token lives in this tab's session storage only: closing the tab signs out. */
export const storedToken = () => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

export interface SignedIn {
  api: Api;
  session: Session;
  signOut: () => void;
}

export const SessionContext = createContext<SignedIn | null>(null);

export function useSignedIn(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSignedIn outside a signed-in page');
  return value;
}

/** What each role may do in the web application (the server checks again). */
export { can } from '../../src/access/roles.js';
