import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AnnouncerProvider } from './components/Announcer.js';
import { Portal } from './pages/Portal.js';
import { StaffApp } from './pages/StaffApp.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AnnouncerProvider>
      <BrowserRouter>
        <Routes>
          <Route path="/app/*" element={<StaffApp />} />
          <Route path="/portal" element={<Portal />} />
          <Route path="*" element={<Navigate to="/app" replace />} />
        </Routes>
      </BrowserRouter>
    </AnnouncerProvider>
  </StrictMode>,
);
