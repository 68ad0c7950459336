import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

/** Says something to screen-reader users (aria-live): saves, errors, progress. */
type Announce = (message: string, urgent?: boolean) => void;
const AnnouncerContext = createContext<Announce>(() => undefined);

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [polite, setPolite] = useState('');
  const [assertive, setAssertive] = useState('');
  const announce = useCallback<Announce>((message, urgent = false) => {
    (urgent ? setAssertive : setPolite)('');
    // A new text node each time, so a repeated message is read again.
    setTimeout(() => (urgent ? setAssertive : setPolite)(message), 30);
  }, []);
  return (
    <AnnouncerContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" aria-live="polite" role="status">
        {polite}
      </div>
      <div className="visually-hidden" aria-live="assertive" role="alert">
        {assertive}
      </div>
    </AnnouncerContext.Provider>
  );
}

export const useAnnounce = () => useContext(AnnouncerContext);
