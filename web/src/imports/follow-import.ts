import { followImport as followImportJob } from '../../../src/spreadsheets/follow-import.js';
import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import type { Api } from '../api.js';
import { getImportJob } from '../endpoints.js';

/**
 * Follows a running import for the wizard: yields the job as its rows read move (from the job's
 * server-sent events, read with `fetch` because `EventSource` cannot send the bearer token), and
 * last the finished job. Falls back to reading the job every 250 ms when the stream fails.
 */
export function followImport(
  api: Api,
  acquisitionId: string,
  job: ImportJobView,
): AsyncGenerator<ImportJobView> {
  const path = `/acquisitions/${acquisitionId}/imports/${job.id}`;
  return followImportJob(job, {
    openEvents: () =>
      fetch(`/api/v1${path}/events`, { headers: { authorization: `Bearer ${api.token}` } }),
    readJob: () => getImportJob(api, acquisitionId, job.id),
  });
}
