import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The web application: built into dist/web, which the server serves at /app and /portal. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No source maps in the build that is served (and the server refuses `.map` under /assets/).
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev:web` serves the pages with hot reload; the API comes from a running Intake.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
