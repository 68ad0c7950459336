import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { DataVersionCache } from '../acquisitions/data-version-cache.js';
import type { AcquisitionState } from '../acquisitions/acquisition.js';
import type { SubmitBlockers } from '../acquisitions/lifecycle-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import { AppError } from '../errors.js';
import type { InterviewService } from '../interview/interview-service.js';
import type { LinkRepository } from '../links/link-repository.js';
import { listPlanSlots } from '../plan/list-plan-slots.js';
import { describeGroup } from './describe-group.js';
import { nextAction, type NextAction } from './next-action.js';
import {
  buildWorkList,
  groupMembers,
  type GroupMember,
  type ProblemGroup,
  type WorkInput,
  type WorkList,
} from './work-list.js';

export const workListErrors = {
  groupNotFound: (key: string) =>
    new AppError(
      'worklist.group-not-found',
      404,
      `No open problem group "${key}": it may have been fixed meanwhile.`,
    ),
};

/** The work list of an acquisition, with the next action for the caller's role. */
export interface AcquisitionWork extends WorkList {
  state: AcquisitionState;
  next: NextAction;
}

/** Who owes what on an acquisition, its problems grouped, and what to do next. */
export class WorkListService {
  private readonly cache = new DataVersionCache<WorkList>();

  constructor(
    private readonly acquisitions: AcquisitionService,
    private readonly capture: CaptureService,
    private readonly interview: Pick<InterviewService, 'followUps'>,
    private readonly links: Pick<LinkRepository, 'list'>,
    private readonly now: () => Date,
  ) {}

  async work(id: string, by: Principal): Promise<AcquisitionWork> {
    const { state, handoverError, work } = await this.current(id);
    const now = this.now().toISOString();
    const activeLinks = (await this.links.list(id)).filter(
      (l) => l.revokedAt === null && l.expiresAt > now,
    ).length;
    return {
      state,
      next: nextAction({
        state,
        role: by.role,
        work,
        activeLinks,
        handoverFailed: !!handoverError,
      }),
      ...work,
    };
  }

  /** One group with every record in it, by name. */
  async group(id: string, key: string): Promise<ProblemGroup & { records: GroupMember[] }> {
    const input = await this.inputs(id);
    const group = buildWorkList(input).groups.find((g) => g.key === key);
    if (!group) throw workListErrors.groupNotFound(key);
    return { ...group, records: groupMembers(input, key) };
  }

  /**
   * What a refused submit lists: the groups of blocking problems and missing answers, one detail
   * each (at most 1,000), and the number of problems in them.
   */
  async submitBlockers(id: string): Promise<SubmitBlockers> {
    const { work } = await this.current(id);
    const groups = work.groups.filter((g) => g.severity === 'blocking');
    return {
      problems: groups.reduce((n, g) => n + g.count, 0),
      groups: groups.length,
      details: groups.slice(0, 1000).map(describeGroup),
    };
  }

  /**
   * The work list as the data stands: worked out again only when the acquisition's data version
   * or the day has moved since it was last worked out. The version is read before the data, so a
   * change that lands in between is seen by the next read.
   */
  private async current(id: string) {
    const { state, handoverError, key } = await this.acquisitions.dataVersion(id);
    const today = this.today();
    const work = await this.cache.get(id, `${key}/${today}`, async () =>
      buildWorkList(await this.inputs(id, today)),
    );
    return { state, handoverError, work };
  }

  private today() {
    return this.now().toISOString().slice(0, 10);
  }

  private async inputs(id: string, today = this.today()): Promise<WorkInput> {
    const { acquisition, catalog, records, plan } = await this.acquisitions.planWithRecords(id);
    const [findings, followUps] = await Promise.all([
      this.capture.findings(id, {}, plan),
      this.interview.followUps(id, false),
    ]);
    return {
      catalog,
      proposal: acquisition.proposal,
      records,
      slots: listPlanSlots(acquisition.proposal, catalog, records, {
        limit: Number.MAX_SAFE_INTEGER,
      }).slots,
      findings,
      followUps,
      today,
    };
  }
}
