import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web application: built into dist/web, which the server serves at /app and /portal.
 *
 * The pages are written against React's API and type-checked with React's types, but run on
 * Preact through `preact/compat`: the same hooks and components in 10 kB of runtime instead of
 * about 190 kB, which is most of what a cold first screen spends evaluating script on a slow
 * machine (docs/benchmarks.md, bench:ui). JSX is compiled by esbuild for Preact's runtime.
 */
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: [
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react-dom$/, replacement: 'preact/compat' },
      { find: /^react\/jsx-(dev-)?runtime$/, replacement: 'preact/jsx-runtime' },
      { find: /^react$/, replacement: 'preact/compat' },
    ],
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No source maps in the build that is served (and the server refuses `.map` under /assets/).
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // React Router's and TanStack Query's "use client" lines mean nothing outside server components.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:web` serves the pages with hot reload; the API comes from a running Intake.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
