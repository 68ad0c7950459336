import { useState } from 'react';
import type { ImportJobView } from '../../../src/spreadsheets/import-repository.js';
import { ApiError, messageOf, type Api, type ProblemDetail } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { useImportProgress } from './use-import-progress.js';

/** Column header → field (or `entity.field`), per sheet; null ignores the column. */
export type Mapping = Record<string, Record<string, string | null>>;
/** The wizard's steps, in order. */
export type Step = 'choose' | 'review' | 'applying' | 'done';
export type ImportMode = 'valid-rows' | 'all-or-nothing';
export type MatchMode = 'merge' | 'add';

/** An import's failure as an API error, with every detail the job kept. */
const failureOf = (job: ImportJobView) =>
  new ApiError(
    job.error?.status ?? 500,
    job.error?.code ?? 'import.failed',
    job.error?.detail ?? 'The import failed.',
    job.error?.errors ?? [],
  );

/**
 * The import wizard's state and steps: the file and its mapping, the check (a dry run), the apply
 * (followed to its end by `useImportProgress`), and starting over.
 */
export function useImportWizard(api: Api, acquisitionId: string, onApplied: () => Promise<void>) {
  const announce = useAnnounce();
  const [step, setStep] = useState<Step>('choose');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportJobView | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [mode, setMode] = useState<ImportMode>('valid-rows');
  const [match, setMatch] = useState<MatchMode>('merge');
  const progress = useImportProgress(api, acquisitionId);
  const [refusal, setRefusal] = useState<{ title: string; details: ProblemDetail[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const form = (chosen: File, extra: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(extra)) data.append(k, v);
    const sheets = Object.keys(mapping);
    if (sheets.length > 0)
      data.append('mapping', JSON.stringify(sheets.length === 1 ? mapping[sheets[0]!] : mapping));
    data.append('file', chosen, chosen.name);
    return data;
  };
  const upload = (chosen: File, extra: Record<string, string>, headers?: Record<string, string>) =>
    api.upload<ImportJobView>(
      `/acquisitions/${acquisitionId}/imports`,
      form(chosen, extra),
      headers,
    );

  const fail = (e: unknown) => {
    const title = messageOf(e);
    // The refusal is an alert of its own (read out at once); no second announcement.
    setRefusal({ title, details: e instanceof ApiError ? e.details : [] });
  };

  /** Wraps a step: busy while it runs, the last refusal cleared first. */
  const running = async (work: () => Promise<void>, onError: (e: unknown) => void) => {
    setBusy(true);
    setRefusal(null);
    try {
      await work();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const check = async () => {
    if (!file) return;
    await running(async () => {
      const result = await upload(file, { mode: 'validate', match });
      setPreview(result);
      setStep('review');
      announce(
        `Checked ${result.rowsRead} rows: ${result.invalid} with problems. Review the columns and problems below.`,
      );
    }, fail);
  };

  const apply = async () => {
    if (!file || !preview) return;
    setStep('applying');
    await running(
      async () => {
        const started = await upload(file, { mode, match }, { prefer: 'respond-async' });
        const ended = await progress.follow(started);
        setStep('done');
        if (ended.status === 'failed') fail(failureOf(ended));
        else
          announce(
            ended.applied
              ? `Import applied: ${ended.created} created, ${ended.updated} updated, ${ended.invalid} rows with problems.`
              : `Nothing was applied: ${ended.invalid} rows have problems and the mode was all or nothing.`,
          );
        await onApplied();
      },
      (e) => {
        setStep('review');
        fail(e);
      },
    );
  };

  const restart = () => {
    setStep('choose');
    setPreview(null);
    progress.setJob(null);
    setMapping({});
    setFile(null);
    setRefusal(null);
  };

  return {
    step,
    file,
    setFile,
    preview,
    mapping,
    setMapping,
    mode,
    setMode,
    match,
    setMatch,
    job: progress.job,
    refusal,
    busy,
    fail,
    check,
    apply,
    restart,
  };
}

/** The import wizard's state and steps (use-import-wizard.ts). */
export type ImportWizardState = ReturnType<typeof useImportWizard>;
