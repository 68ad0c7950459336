import { assertMayWrite, callerOf, isCustomer } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { CaptureRepository } from '../capture/capture-repository.js';
import type { CaptureService } from '../capture/capture-service.js';
import { AppError, type ProblemDetail } from '../errors.js';
import type { InterviewService } from '../interview/interview-service.js';
import type { AccessLink, LinkRepository } from '../links/link-repository.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** At most this many reasons are listed when the customer's part cannot be submitted yet. */
const MAX_REASONS = 200;

/** "Submit my part": the customer says their fields are done; refused, with every reason, until they are. */
export class CustomerPartService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly links: LinkRepository,
    private readonly acquisitions: AcquisitionService,
    private readonly capture: CaptureService,
    private readonly interview: InterviewService,
    private readonly now: () => Date,
  ) {}

  /** What still stands in the way of the customer's part: missing or invalid fields, and blocking findings on them. */
  async reasons(acquisitionId: string): Promise<ProblemDetail[]> {
    const { questions } = await this.interview.questions(
      acquisitionId,
      { owner: 'customer' },
      0,
      MAX_REASONS,
    );
    const reasons: ProblemDetail[] = questions.map((q) => ({
      pointer: `/records/${q.recordId}/values/${q.field}`,
      detail:
        q.reason === 'missing'
          ? `${q.entityName}${q.siteName ? ` at ${q.siteName}` : ''}: "${q.label}" is missing.`
          : `${q.entityName}${q.siteName ? ` at ${q.siteName}` : ''}: "${q.label}" ${q.problem ?? 'is invalid'}.`,
      code: q.reason === 'missing' ? 'field.missing' : 'field.invalid',
    }));
    const listed = new Set(reasons.map((r) => r.pointer));
    const stored = await new CaptureRepository(this.db).findings(acquisitionId, {
      severity: 'blocking',
    });
    // As the customer's link sees them: on its fields, with no staff value quoted.
    const findings = await this.capture.visibleFindings(
      acquisitionId,
      stored,
      callerOf(acquisitionId, true),
    );
    for (const f of findings) {
      const pointer = `/records/${f.recordId}/values/${f.field}`;
      if (listed.has(pointer) || reasons.length >= MAX_REASONS) continue;
      listed.add(pointer);
      reasons.push({ pointer, detail: f.message, code: f.rule });
    }
    return reasons;
  }

  /** Marks the link's part submitted, once nothing the customer owns is missing or blocking. */
  async submit(acquisitionId: string, by: Principal): Promise<AccessLink> {
    if (!isCustomer(by))
      throw new AppError(
        'portal.link-only',
        403,
        "Only a customer link submits the customer's part; staff submit the acquisition with POST …/submit.",
      );
    const acquisition = await this.acquisitions.get(acquisitionId);
    assertMayWrite(by, acquisition.state);
    const reasons = await this.reasons(acquisitionId);
    if (reasons.length > 0)
      throw new AppError(
        'portal.part-incomplete',
        409,
        `Your part cannot be submitted yet: ${reasons.length}${reasons.length >= MAX_REASONS ? ' or more' : ''} answer${reasons.length === 1 ? '' : 's'} still missing or to correct.`,
        reasons,
      );
    await this.links.markSubmitted(by.tokenId, this.now());
    const link = await this.links.findById(by.tokenId);
    if (!link) throw new Error(`link ${by.tokenId} vanished while being submitted`);
    return link;
  }
}
