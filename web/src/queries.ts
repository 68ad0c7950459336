import {
  keepPreviousData,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { useCallback } from 'react';
import { ApiError, type Api } from './api.js';
import {
  getAcquisition,
  getAcquisitions,
  getAttachments,
  getCustomerLinks,
  getFormContext,
  getHandoverSummary,
  getInterviewCalls,
  getPlan,
  getPortalContext,
  getProblemGroup,
  getRecordHistory,
  getWork,
} from './endpoints.js';

/**
 * The API's answers as the pages read them, cached by TanStack Query under these keys: everything
 * of one acquisition under `['acquisition', id, …]`, so that a write can have exactly what it
 * changed asked again. The first screen's requests go through `Api.get`, which takes the answers
 * `early-requests.ts` started, so the paths here are the paths it starts.
 */
export const queryKeys = {
  acquisitions: (query: string) => ['acquisitions', query] as const,
  summary: (id: string) => ['acquisition', id, 'summary'] as const,
  plan: (id: string) => ['acquisition', id, 'plan'] as const,
  work: (id: string) => ['acquisition', id, 'work'] as const,
  forms: (id: string) => ['acquisition', id, 'forms'] as const,
  group: (id: string, key: string) => ['acquisition', id, 'group', key] as const,
  links: (id: string) => ['acquisition', id, 'links'] as const,
  handover: (id: string, version: string) => ['acquisition', id, 'handover', version] as const,
  history: (id: string, recordId: string, version: number) =>
    ['acquisition', id, 'history', recordId, version] as const,
  calls: (id: string) => ['acquisition', id, 'calls'] as const,
  attachments: (id: string) => ['acquisition', id, 'attachments'] as const,
};

/** The portal's form context, under one key: the link's session, then its acquisition's forms. */
export const portalContextKey = ['portal', 'context'] as const;

/** The portal's form context: the link's acquisition's forms, for the customer. */
export const usePortalContext = (api: Api) =>
  useQuery({ queryKey: portalContextKey, queryFn: () => getPortalContext(api) });

/** A page of the acquisition list. */
export const useAcquisitionList = (api: Api, query: URLSearchParams, enabled = true) =>
  useQuery({
    queryKey: queryKeys.acquisitions(query.toString()),
    queryFn: () => getAcquisitions(api, query),
    enabled,
    // The page on screen stays while the next one (or the next search) loads.
    placeholderData: keepPreviousData,
  });

/** One acquisition's summary (with its proposal). */
export const useAcquisition = (api: Api, id: string) =>
  useQuery({ queryKey: queryKeys.summary(id), queryFn: () => getAcquisition(api, id) });

/** The acquisition's plan, asked only while `enabled` (it takes long on a large acquisition). */
export const usePlan = (api: Api, id: string, enabled: boolean) =>
  useQuery({ queryKey: queryKeys.plan(id), queryFn: () => getPlan(api, id), enabled });

/** The acquisition's work list, asked only while `enabled`. */
export const useWork = (api: Api, id: string, enabled: boolean) =>
  useQuery({ queryKey: queryKeys.work(id), queryFn: () => getWork(api, id), enabled });

/** The acquisition's form context. */
export const useFormContext = (api: Api, id: string) =>
  useQuery({ queryKey: queryKeys.forms(id), queryFn: () => getFormContext(api, id) });

/**
 * One problem group with its records and every record of its entity (for fill-down), or null
 * once the group is gone (fixed: the API answers 404).
 */
export const useProblemGroup = (api: Api, id: string, key: string) =>
  useQuery({
    queryKey: queryKeys.group(id, key),
    queryFn: async () => {
      try {
        const detail = await getProblemGroup(api, id, key);
        return { detail, records: await api.allRecords(id, detail.entity) };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });

/** The acquisition's customer links. */
export const useCustomerLinks = (api: Api, id: string) =>
  useQuery({ queryKey: queryKeys.links(id), queryFn: () => getCustomerLinks(api, id) });

/**
 * What was handed over, asked again whenever `version` changes (the acquisition's state, order
 * and handover error, and whether it was just sent).
 */
export const useHandoverSummary = (api: Api, id: string, version: string, enabled: boolean) =>
  useQuery({
    queryKey: queryKeys.handover(id, version),
    queryFn: () => getHandoverSummary(api, id),
    enabled,
    placeholderData: keepPreviousData,
  });

/** A record's history, asked again for each new version of the record. */
export const useRecordHistory = (api: Api, id: string, recordId: string, version: number) =>
  useQuery({
    queryKey: queryKeys.history(id, recordId, version),
    queryFn: () => getRecordHistory(api, id, recordId),
    placeholderData: keepPreviousData,
  });

/** The interview calls. */
export const useInterviewCalls = (api: Api, id: string) =>
  useQuery({ queryKey: queryKeys.calls(id), queryFn: () => getInterviewCalls(api, id) });

/** The files the acquisition's records were given, asked only while `enabled`. */
export const useAttachments = (api: Api, id: string, enabled: boolean) =>
  useQuery({
    queryKey: queryKeys.attachments(id),
    queryFn: () => getAttachments(api, id),
    enabled,
  });

/**
 * Has what a write changes on the acquisition's page asked again: its summary, plan and work list
 * (those on screen at once, the others when they next show). Resolves once those on screen are in.
 */
export function refreshAcquisition(client: QueryClient, id: string): Promise<void> {
  return Promise.all(
    [queryKeys.summary(id), queryKeys.plan(id), queryKeys.work(id)].map((queryKey) =>
      client.invalidateQueries({ queryKey, exact: true }),
    ),
  ).then(() => undefined);
}

/** `refreshAcquisition` for the acquisition `id`, as a callback for a page's children. */
export function useRefreshAcquisition(id: string): () => Promise<void> {
  const client = useQueryClient();
  return useCallback(() => refreshAcquisition(client, id), [client, id]);
}
