import type { Plugin } from 'vite';

/** Builds workers/service-worker.ts as /sw.js with the build's precache list written in. */
export function precachePlugin(swSource: string): Plugin;
