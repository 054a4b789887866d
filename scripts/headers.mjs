// Security headers shared by the Vite dev/preview servers and the built app's static-host file.
// Kept in plain JavaScript so build scripts can import it without a TypeScript step.

/** No inline script, no script or worker from elsewhere; styles only from our own files. */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Cross-origin isolation: precise timers and SharedArrayBuffer in the page and its workers. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
