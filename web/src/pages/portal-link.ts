import { useEffect, useState } from 'react';

/** Customer link tokens start so (the server's LINK_PREFIX); anything else in the fragment is not one. */
const LINK_PREFIX = 'ilk_';
/** This tab's copy of the link token: one key for the portal, separate from the staff token's. */
const STORAGE_KEY = 'intake.portal.linkToken';

function fragment(): string {
  try {
    return decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  } catch {
    return '';
  }
}

function kept(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

function keep(token: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage refused (private mode): the fragment still holds the token.
  }
}

/** Puts the token back in the fragment without a navigation, so that a reload or a copied URL works. */
function showInFragment(token: string): void {
  if (fragment() === token) return;
  history.replaceState(
    history.state,
    '',
    `${location.pathname}${location.search}#${encodeURIComponent(token)}`,
  );
}

/**
 * The customer link's token, read once when the portal opens: from the URL fragment when it holds
 * one (and kept in this tab's session storage), else the one kept earlier (and put back in the
 * fragment). Never sent to the server as part of a URL.
 */
export function readLinkToken(): string {
  const inFragment = fragment();
  if (inFragment.startsWith(LINK_PREFIX)) {
    keep(inFragment);
    return inFragment;
  }
  const token = kept();
  if (token) showInFragment(token);
  return token;
}

/**
 * The link token for the portal's lifetime. The fragment may change under the page (an anchor, the
 * back button, a hand edit): another link's token there switches to it; anything else is undone,
 * so the URL always shows the link and the requests never carry a section name as a token.
 */
export function useLinkToken(): string {
  const [token, setToken] = useState(readLinkToken);
  useEffect(() => {
    const onHashChange = () => {
      const inFragment = fragment();
      if (inFragment.startsWith(LINK_PREFIX)) {
        keep(inFragment);
        setToken(inFragment);
      } else if (token) {
        showInFragment(token);
      }
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [token]);
  return token;
}
