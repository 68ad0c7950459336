import { isCustomer } from '../access/customer-scope.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FormContextSchema } from './schemas.js';
import { READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import { principalOf, type RequireRole } from '../http/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import type { LinkRepository } from '../links/link-repository.js';
import type { CustomerPartService } from '../portal/customer-part.js';
import { buildFormContext, expectedByEntity } from './form-context.js';

export interface FormRoutesOptions {
  acquisitions: AcquisitionService;
  capture: CaptureService;
  customerPart: CustomerPartService;
  links: LinkRepository;
  requireRole: RequireRole;
}

/** What the web application's forms need, and the customer's "submit my part". */
export const formRoutes: FastifyPluginAsyncTypebox<FormRoutesOptions> = async (
  app,
  { acquisitions, capture, customerPart, links, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/acquisitions/:id/forms',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['forms'],
        summary:
          "The acquisition's entities, fields, conditions and quote items, for forms that check values in the browser with the server's rules",
        description:
          "A customer link gets only the customer's fields and the customer's progress, and `submittedAt` of its part.",
        security,
        params: IdParams,
        response: { 200: FormContextSchema, ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const acquisition = await acquisitions.get(request.params.id);
      const ctx = { ...(await capture.contexts.get(acquisition.id)), acquisition };
      // Expected records come from the slot groups and present ones from one count: the whole plan
      // is worked out only for a customer link, whose progress is the customer's fields alone.
      const expected = expectedByEntity(ctx);
      const present = await capture.countByEntity(acquisition.id);
      const counts = new Map<string, { expected: number; present: number }>();
      for (const entity of new Set([...expected.keys(), ...present.keys()]))
        counts.set(entity, {
          expected: expected.get(entity) ?? 0,
          present: present.get(entity) ?? 0,
        });
      if (!isCustomer(principal)) return buildFormContext(ctx, 'staff', counts, acquisition);
      const { plan } = await acquisitions.plan(acquisition.id);
      const customerCounts = new Map(
        [...counts].map(([entity, count]) => {
          const missing = plan.entities
            .find((e) => e.entity === entity)
            ?.missing.filter((m) => m.owner === 'customer')
            .reduce((sum, m) => sum + m.count, 0);
          return [entity, { ...count, missing: missing ?? 0 }];
        }),
      );
      const progress = plan.owners.find((o) => o.owner === 'customer') ?? {
        requiredFields: 0,
        satisfiedFields: 0,
        completeness: 1,
      };
      const link = await links.findById(principal.tokenId);
      return {
        ...buildFormContext(ctx, 'customer', customerCounts, progress),
        contactName: link?.contactName ?? null,
        submittedAt: link?.submittedAt ?? null,
      };
    },
  );

  app.post(
    '/acquisitions/:id/customer-part/submit',
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['forms'],
        summary:
          "Submit the customer's part (customer links only); refused with every missing or invalid answer while any remain",
        security,
        params: IdParams,
        response: {
          200: Type.Object({ submittedAt: Type.String(), contactName: Type.String() }),
          ...authErrors,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const link = await customerPart.submit(request.params.id, principalOf(request));
      return { submittedAt: link.submittedAt!, contactName: link.contactName };
    },
  );
};
