import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FormContextSchema } from './schemas.js';
import { READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, IdParams } from '../http/schemas.js';
import type { LinkRepository } from '../links/link-repository.js';
import type { CustomerPartService } from '../portal/customer-part.js';
import { FormContextService } from './form-context-service.js';

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
  const forms = new FormContextService(acquisitions, capture, links);
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
    async (request) => forms.forPrincipal(request.params.id, principalOf(request)),
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
