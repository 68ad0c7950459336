import { useEffect, useState } from 'react';
import type * as ValueChecksModule from './value-checks.js';

/** The value checks' module (value-checks.ts), once its script has loaded. */
export type ValueChecks = typeof ValueChecksModule;

let loaded: ValueChecks | null = null;
let loading: Promise<ValueChecks> | null = null;

/** Loads the value checks' script (once); a page asks as soon as its first screen is up. */
export function loadValueChecks(): Promise<ValueChecks> {
  loading ??= import('./value-checks.js').then((m) => (loaded = m));
  return loading;
}

/**
 * The value checks for a component: null until their script has loaded, then the module (the
 * component draws again). Until then a form shows the server's findings only.
 */
export function useValueChecks(): ValueChecks | null {
  const [checks, setChecks] = useState(loaded);
  useEffect(() => {
    if (checks) return;
    let gone = false;
    void loadValueChecks().then((m) => !gone && setChecks(m));
    return () => {
      gone = true;
    };
  }, [checks]);
  return checks;
}
