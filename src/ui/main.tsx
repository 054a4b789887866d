import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, initialTheme } from './theme';
import './styles.css';

// Before the first paint, so a chosen theme never flashes the other one.
applyTheme(initialTheme());

const root = document.getElementById('root');
if (!root) throw new Error('raftlab: #root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Offline and installable (workers/service-worker.ts). Only the built app: in development the
// worker would serve stale modules to Vite's hot reload.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { type: 'module' }).catch((err: unknown) => {
    // Offline use is a convenience: the app works without it.
    console.warn('raftlab: offline support unavailable:', err);
  });
}
