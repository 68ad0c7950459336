import { useCallback, useState } from 'react';
import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import type { Api } from '../api.js';
import { followImport } from './follow-import.js';

/**
 * An import being applied, followed until it ends: `follow` takes the job as the upload answered
 * it, shows each step of its progress in `job`, and resolves with the job as it ended. (The
 * progress comes from the job's event stream; every quarter second from the job itself when the
 * stream fails: follow-import.ts.)
 */
export function useImportProgress(api: Api, acquisitionId: string) {
  const [job, setJob] = useState<ImportJobView | null>(null);
  const follow = useCallback(
    async (started: ImportJobView): Promise<ImportJobView> => {
      let current = started;
      setJob(current);
      for await (const state of followImport(api, acquisitionId, current)) {
        current = state;
        setJob(current);
      }
      return current;
    },
    [api, acquisitionId],
  );
  return { job, setJob, follow };
}
