/**
 * The API's endpoints as the web application calls them: one typed function each, with the
 * answer's type taken from the server's own response schema (`src/<domain>/schemas.ts`), so a
 * change of an answer shows at compile time here rather than as a cast that lies.
 */

import type {
  AcquisitionDetail,
  AcquisitionListItem,
  AcquisitionPage,
  AcquisitionSummary,
} from '../../src/acquisitions/schemas.js';
import type { Session } from '../../src/access/schemas.js';
import type { ApiRecord, HistoryEntry, RecordPage } from '../../src/capture/schemas.js';
import type { FormContext } from '../../src/forms/schemas.js';
import type { HandoverSummary } from '../../src/handover/handover-service.js';
import type { InterviewCall, InterviewScript } from '../../src/interview/schemas.js';
import type { CustomerLink, CustomerLinkList, IssuedLink } from '../../src/links/schemas.js';
import type { PlanAnswer as Plan } from '../../src/plan/plan-schema.js';
import type { ImportJobView } from '../../src/spreadsheets/import-repository.js';
import type { Api } from './api.js';
import { acquisitionListPath, acquisitionPath } from './api-paths.js';
import type { PortalContext } from './forms/form-model.js';
import type { GroupDetail, Work } from './problems/work.js';

export type {
  AcquisitionDetail,
  AcquisitionListItem,
  AcquisitionPage,
  AcquisitionSummary,
  ApiRecord,
  CustomerLink,
  FormContext,
  HistoryEntry,
  InterviewCall,
  InterviewScript,
  IssuedLink,
  Plan,
  RecordPage,
  Session,
};

const acquisition = acquisitionPath;
const record = (acquisitionId: string, recordId: string) =>
  `${acquisition(acquisitionId)}/records/${encodeURIComponent(recordId)}`;

/** Who the token belongs to. */
export const getSession = (api: Api) => api.get<Session>('/session');

/** A page of the acquisition list; `query` holds limit, offset, search and state. */
export const getAcquisitions = (api: Api, query: URLSearchParams) =>
  api.get<AcquisitionPage>(acquisitionListPath(query));

/** One acquisition with the proposal it was opened from. */
export const getAcquisition = (api: Api, id: string) => api.get<AcquisitionDetail>(acquisition(id));

/** What the proposal needs and how much of it is captured. */
export const getPlan = (api: Api, id: string) => api.get<Plan>(`${acquisition(id)}/plan`);

/** What is left to do, the problems grouped, and the next step. */
export const getWork = (api: Api, id: string) => api.get<Work>(`${acquisition(id)}/work`);

/** One problem group with every record in it. */
export const getProblemGroup = (api: Api, id: string, key: string) =>
  api.get<GroupDetail>(`${acquisition(id)}/work/group?key=${encodeURIComponent(key)}`);

/** The forms' context: entities, fields, rules, slot groups and sites. */
export const getFormContext = (api: Api, id: string) =>
  api.get<FormContext>(`${acquisition(id)}/forms`);

/** A customer link's form context: its acquisition's, the customer's fields only. */
export async function getPortalContext(api: Api): Promise<PortalContext> {
  const session = await getSession(api);
  if (!session.link) throw new Error('This page is for customer links; staff sign in at /app.');
  return api.get<PortalContext>(`${acquisition(session.link.acquisitionId)}/forms`);
}

/** One record. */
export const getRecord = (api: Api, acquisitionId: string, recordId: string) =>
  api.get<ApiRecord>(record(acquisitionId, recordId));

/** Every change of a record. */
export const getRecordHistory = (api: Api, acquisitionId: string, recordId: string) =>
  api.get<{ items: HistoryEntry[] }>(`${acquisition(acquisitionId)}/records/${recordId}/history`);

/** A file an acquisition's records were given, as the list of attachments names it. */
export interface AttachmentView {
  id: string;
  fileName: string;
  /** Staff only: where to download it. */
  href?: string;
}

/** The files an acquisition's records were given. */
export const getAttachments = (api: Api, acquisitionId: string) =>
  api.get<AttachmentView[]>(`${acquisition(acquisitionId)}/attachments`);

/** The acquisition's customer links. */
export const getCustomerLinks = (api: Api, acquisitionId: string) =>
  api.get<CustomerLinkList>(`${acquisition(acquisitionId)}/links`);

/** Issues a customer link (and emails it when asked). */
export const issueCustomerLink = (
  api: Api,
  acquisitionId: string,
  body: { contactName: string; contactEmail?: string; sendEmail?: boolean },
) => api.send<IssuedLink>('POST', `${acquisition(acquisitionId)}/links`, body);

/** What was handed over and what the order system answered. */
export const getHandoverSummary = (api: Api, acquisitionId: string) =>
  api.get<HandoverSummary>(`${acquisition(acquisitionId)}/handover/summary`);

/** One step of the interview's call script. */
export const getInterviewScript = (api: Api, acquisitionId: string, offset: number) =>
  api.get<InterviewScript>(
    `${acquisition(acquisitionId)}/interview/script?limit=1&offset=${offset}`,
  );

/** The interview calls, the latest first. */
export const getInterviewCalls = (api: Api, acquisitionId: string) =>
  api.get<{ items: InterviewCall[] }>(`${acquisition(acquisitionId)}/interview/calls`);

/** An import job: its status, progress and report. */
export const getImportJob = (api: Api, acquisitionId: string, importId: string) =>
  api.get<ImportJobView>(`${acquisition(acquisitionId)}/imports/${importId}`);
