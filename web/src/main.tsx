// First: the first screen's requests leave before anything else is evaluated.
import './early-requests.js';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AnnouncerProvider } from './components/Announcer.js';
import './styles.css';

// Each side of the application is its own script: a customer on a phone loads the portal, not the
// staff workspace's import wizard, interview and problem views (and the reverse).
const StaffApp = lazy(() => import('./pages/StaffApp.js').then((m) => ({ default: m.StaffApp })));
const Portal = lazy(() => import('./pages/Portal.js').then((m) => ({ default: m.Portal })));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AnnouncerProvider>
      <BrowserRouter>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Routes>
            <Route path="/app/*" element={<StaffApp />} />
            <Route path="/portal" element={<Portal />} />
            <Route path="*" element={<Navigate to="/app" replace />} />
          </Routes>
        </Suspense>
      </BrowserRouter>
    </AnnouncerProvider>
  </StrictMode>,
);
