import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CatalogSummarySchema, EntitySpecSchema } from './schemas.js';
import { READERS } from '../access/roles.js';
import { errors } from '../errors.js';
import type { RequireRole } from '../access/authenticate.js';
import { authErrors } from '../http/schemas.js';
import { summarizeCatalog } from './catalog-summary.js';
import type { Catalog } from './model.js';

export interface CatalogRoutesOptions {
  catalog: () => Catalog;
  requireRole: RequireRole;
}

/** The current requirement catalogue, for people and for the web application's forms. */
export const catalogRoutes: FastifyPluginAsyncTypebox<CatalogRoutesOptions> = async (
  app,
  { catalog, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/catalog',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['catalog'],
        summary: 'The current catalogue: its version and what each product specification needs',
        security,
        response: {
          200: CatalogSummarySchema,
          ...authErrors,
        },
      },
    },
    async () => summarizeCatalog(catalog()),
  );
  app.get(
    '/catalog/entities/:id',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['catalog'],
        summary: 'One entity with its fields, rules and questions',
        security,
        params: Type.Object({ id: Type.String() }),
        response: { 200: EntitySpecSchema, ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request) => {
      const entity = catalog().entities.get(request.params.id);
      if (!entity) throw errors.entityNotFound(request.params.id);
      return entity;
    },
  );
};
