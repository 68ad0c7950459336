import { isCustomer } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { LinkRepository } from '../links/link-repository.js';
import { buildFormContext, expectedByEntity, type FormContext } from './form-context.js';
import { customerCounts, customerProgress, entityCounts } from './form-progress.js';

/** The form context of a customer link: the customer's part, and who it was issued to. */
export type CustomerFormContext = FormContext & {
  contactName: string | null;
  submittedAt: string | null;
};

/**
 * The form context an acquisition's forms are drawn from, for the caller. Expected records come
 * from the slot groups and present ones from one count: the whole plan is worked out only for a
 * customer link, whose progress counts the customer's fields alone.
 */
export class FormContextService {
  constructor(
    private readonly acquisitions: AcquisitionService,
    private readonly capture: CaptureService,
    private readonly links: LinkRepository,
  ) {}

  async forPrincipal(
    acquisitionId: string,
    principal: Principal,
  ): Promise<FormContext | CustomerFormContext> {
    const acquisition = await this.acquisitions.get(acquisitionId);
    const ctx = { ...(await this.capture.contexts.get(acquisition.id)), acquisition };
    const present = await this.capture.countByEntity(acquisition.id);
    const counts = entityCounts(expectedByEntity(ctx), present);
    if (!isCustomer(principal)) return buildFormContext(ctx, 'staff', counts, acquisition);
    const plan = await this.acquisitions.plan(acquisition.id);
    const link = await this.links.findById(principal.tokenId);
    return {
      ...buildFormContext(ctx, 'customer', customerCounts(counts, plan), customerProgress(plan)),
      contactName: link?.contactName ?? null,
      submittedAt: link?.submittedAt ?? null,
    };
  }
}
