import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Inline style elements, for the Swagger UI page only: it adds one `<style>` element as it draws
 * (its scripts stay files of this origin). Styles cannot run code; the application's pages get no
 * such allowance.
 */
const docsInlineStyles = (request: IncomingMessage) =>
  request.url === '/docs' || request.url?.startsWith('/docs/') ? "'unsafe-inline'" : "'self'";

/**
 * The Content-Security-Policy of every answer. The built web application (/app, /portal) and the
 * Swagger UI page (/docs) load only their own scripts and style sheets from this origin, with no
 * inline script, so `'self'` is enough (bar the one style element of /docs, above); `data:` is for
 * the page icon and the Swagger UI's SVG images. No page may be framed (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", docsInlineStyles],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Security headers on every answer, pages, API and errors alike (`@fastify/helmet`): the policy
 * above, `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy:
 * no-referrer` (a link's token never leaves in a referrer), and helmet's other defaults. No
 * `upgrade-insecure-requests`: Intake is often reached over plain HTTP inside a network, where
 * that directive would break every asset.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}
