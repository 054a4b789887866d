import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy, isolationHeaders } from './scripts/headers.mjs';
import { precachePlugin } from './scripts/precache.mjs';

const root = dirname(fileURLToPath(import.meta.url));

// The built app carries its CSP as a <meta> tag (so any static host serves it) and the preview
// server sends it as a header too. Development skips it: React's fast-refresh preamble is inline.
function cspMeta(): Plugin {
  return {
    name: 'raftlab-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      const charset = '<meta charset="UTF-8" />';
      if (!html.includes(charset))
        throw new Error('index.html must declare <meta charset="UTF-8" />');
      return html.replace(
        charset,
        `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}" />`,
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), cspMeta(), precachePlugin(resolve(root, 'workers/service-worker.ts'))],
  // Cross-origin isolation makes performance.now() precise (5 µs) and enables SharedArrayBuffer.
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: {
    headers: { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy },
    host: '127.0.0.1',
  },
  worker: { format: 'es' },
  // Pre-bundle these up front: a late dependency optimisation reloads the page mid-test.
  optimizeDeps: { include: ['comlink', 'idb', 'react', 'react-dom/client', 'zustand'] },
  build: {
    target: 'es2022',
    sourcemap: true,
    // bench.html is the browser benchmark's page (bench/browser.bench.ts); it ships beside the app.
    rolldownOptions: {
      input: { main: resolve(root, 'index.html'), bench: resolve(root, 'bench.html') },
    },
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'workers/**/*.test.ts',
      'scripts/**/*.test.mjs',
    ],
    environment: 'node',
    // Property tests explore many schedules; give them room but never hang forever.
    testTimeout: 60_000,
  },
});
