import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` puts the web application (the same path from src/ and from dist/). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Whether an `/assets/` path names a servable asset: one flat file name, no source map. */
export function isAssetName(pathName: string): boolean {
  return /^\/[\w.-]+$/.test(pathName) && !pathName.includes('..') && !pathName.endsWith('.map');
}

/**
 * Serves the web application: its built files, and its page for `/app/…` (staff) and `/portal`
 * (customer links; the link's token stays in the URL fragment, so it never reaches a server log).
 * Without a build, those pages say how to make one rather than failing obscurely.
 */
export async function registerWebApp(app: FastifyInstance, webDir = DEFAULT_WEB_DIR) {
  const built = existsSync(`${webDir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: `${webDir}/assets`,
      prefix: '/assets/',
      index: false,
      // Vite's assets are flat, named by content hash. Anything else (the folder itself, `..` in
      // any spelling, a source map left by an old build) is simply not there: 404, not an error.
      // (The pages' index.html is sent from the web folder itself, by name.)
      allowedPath: (pathName, root) => root === webDir || isAssetName(pathName),
      // Vite names assets by their content hash: they can be cached for good.
      cacheControl: false,
      setHeaders: (res) => {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  const page = async (_request: unknown, reply: FastifyReply) => {
    if (!built)
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web application is not built. Run `npm run build` (npm start does it), then reload.',
        );
    return reply
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .sendFile('index.html', webDir);
  };
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app'));
  app.get('/app', { schema: { hide: true } }, page);
  app.get('/app/*', { schema: { hide: true } }, page);
  app.get('/portal', { schema: { hide: true } }, page);
}
