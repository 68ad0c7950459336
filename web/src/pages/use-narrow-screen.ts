import { useSyncExternalStore } from 'react';

/** Where the portal lays records out as cards instead of forms and a grid. */
export const NARROW_SCREEN = '(max-width: 600px)';

const subscribe = (onChange: () => void) => {
  const query = window.matchMedia(NARROW_SCREEN);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
};

/** True while the window is at most 600 CSS pixels wide (a phone held upright); follows resizes. */
export function useNarrowScreen(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(NARROW_SCREEN).matches,
    () => false,
  );
}
