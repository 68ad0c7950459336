import { useCallback, useState } from 'react';
import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import type { Api } from '../api.js';
import { getImportJob } from '../endpoints.js';

/** How often a running import is asked for its progress. */
const POLL_MS = 250;

/**
 * An import being applied, followed until it ends: `follow` takes the job as the upload answered
 * it, shows each step of its progress in `job`, and resolves with the job as it ended. (The
 * progress is read by asking the job every quarter second.)
 */
export function useImportProgress(api: Api, acquisitionId: string) {
  const [job, setJob] = useState<ImportJobView | null>(null);
  const follow = useCallback(
    async (started: ImportJobView): Promise<ImportJobView> => {
      let current = started;
      setJob(current);
      while (current.status === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        current = await getImportJob(api, acquisitionId, current.id);
        setJob(current);
      }
      return current;
    },
    [api, acquisitionId],
  );
  return { job, setJob, follow };
}
