import { useEffect, useMemo, useRef, useState } from 'react';
import { messageOf, type Api, type ApiRecord } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { FieldInput } from '../components/FieldInput.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';
import { plainMessage, roleTitle } from './plain-language.js';
import { changedValues, saveRecord } from './save-record.js';
import { useValueChecks } from './value-checks-loader.js';
import { uploadFileAnswer, useFileNames, type FileAnswer } from './file-answers.js';

export interface RecordFormProps {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  record: ApiRecord;
  onSaved: (record: ApiRecord) => void;
  /** A field to bring into view and focus (from a finding). */
  focusField?: string | undefined;
  readOnly?: boolean;
}

/**
 * A form generated from the catalogue for one record. Conditional fields appear once their
 * condition holds; each value is checked in the browser with the server's rules as it is typed,
 * and saved when the field is left (saves as you go); the server's findings show on their field.
 */
export function RecordForm({
  api,
  model,
  entity,
  record,
  onSaved,
  focusField,
  readOnly,
}: RecordFormProps) {
  const announce = useAnnounce();
  const [draft, setDraftState] = useState<Record<string, unknown>>(record.values);
  const draftRef = useRef(draft);
  const setDraft = (next: Record<string, unknown>) => {
    draftRef.current = next;
    setDraftState(next);
  };
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState('');
  const saving = useRef<Promise<void>>(Promise.resolve());
  const current = useRef(record);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    // The echo of this form's own save changes nothing; another record, or a newer version from
    // elsewhere, replaces the draft.
    if (record.id === current.current.id && record.version <= current.current.version) return;
    current.current = record;
    draftRef.current = record.values;
    setDraftState(record.values);
  }, [record]);

  useEffect(() => {
    if (!focusField) return;
    const input = formRef.current?.querySelector<HTMLElement>(`[data-field="${focusField}"]`);
    input?.scrollIntoView({ block: 'center' });
    input?.focus();
  }, [focusField, record.id]);

  const hasFiles = entity.fields.some((f) => f.format === 'file');
  const [fileNames, rememberFile] = useFileNames(api, model.context.acquisition.id, hasFiles);
  const siteChoices = useMemo(
    () => model.context.sites.map((site) => ({ value: site.id, label: site.name })),
    [model],
  );
  // Staff get a download address with each file; a customer link does not, and sees no button.
  const downloadOf = (file: FileAnswer | undefined) =>
    file?.href
      ? () =>
          void api
            .download(file.href!, file.fileName)
            .catch((error: unknown) => setFailure(`Not downloaded: ${messageOf(error)}`))
      : undefined;
  const upload = (field: string, file: File) => {
    saving.current = saving.current.then(async () => {
      setStatus(`Uploading ${file.name}…`);
      try {
        const saved = await uploadFileAnswer(
          api,
          model.context.acquisition.id,
          current.current,
          field,
          file,
        );
        rememberFile(saved.attachmentId, { fileName: file.name, href: saved.href });
        const leftover = changedValues(current.current, draftRef.current);
        delete leftover[field];
        current.current = saved.record;
        setDraft({ ...saved.record.values, ...leftover });
        setFailure('');
        const message = `${file.name} uploaded.`;
        setStatus(message);
        announce(message);
        onSaved(saved.record);
      } catch (error) {
        const message = `Not uploaded: ${messageOf(error)}`;
        setStatus('');
        setFailure(message);
        announce(message, true);
      }
    });
  };

  const checks = useValueChecks();
  const problems = useMemo(
    () => (checks ? model.check(checks, entity, record, draft) : new Map<string, string>()),
    [checks, model, entity, record, draft],
  );
  const visible = model.visibleFields(entity, record, draft);
  const serverFinding = (field: string, severity: 'blocking' | 'warning') =>
    record.findings.find((f) => f.field === field && f.severity === severity)?.message;

  const commit = () => {
    saving.current = saving.current.then(async () => {
      const patch = changedValues(current.current, draftRef.current);
      if (Object.keys(patch).length === 0) return;
      setStatus('Saving…');
      try {
        const before = current.current;
        const saved = await saveRecord(api, model.context.acquisition.id, before, patch);
        // Keep what was typed while this save was on its way: other fields, and a field of the
        // patch typed again (the saved value would otherwise overwrite the newer typing).
        const leftover = changedValues(before, draftRef.current);
        for (const [field, sent] of Object.entries(patch))
          if (displayValue(leftover[field] ?? null) === displayValue(sent)) delete leftover[field];
        current.current = saved;
        setDraft({ ...saved.values, ...leftover });
        setFailure('');
        const blocking = saved.findings.filter((f) => f.severity === 'blocking').length;
        const message = blocking
          ? `Saved. ${blocking} problem${blocking === 1 ? '' : 's'} to fix.`
          : 'Saved.';
        setStatus(message);
        announce(message);
        onSaved(saved);
      } catch (error) {
        const message = `Not saved: ${messageOf(error)}`;
        setStatus('');
        setFailure(message);
        announce(message, true);
      }
    });
  };

  const title =
    roleTitle(entity, record) ??
    `${entity.name}${record.site ? ` — ${model.siteName(record.site)}` : ''}`;
  return (
    <form
      ref={formRef}
      className="record-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        commit();
      }}
    >
      <fieldset disabled={readOnly}>
        <legend>{title}</legend>
        {visible.map((field) => {
          const unchanged = displayValue(draft[field.id]) === displayValue(record.values[field.id]);
          const required = model.isRequired(field, record, draft);
          return (
            <FieldInput
              key={field.id}
              id={`f-${record.id}-${field.id}`}
              field={field}
              value={draft[field.id]}
              required={required}
              error={plainOrNone(
                problems.get(field.id) ??
                  (unchanged ? serverFinding(field.id, 'blocking') : undefined),
                model.siteNames,
              )}
              warning={plainOrNone(
                unchanged ? serverFinding(field.id, 'warning') : undefined,
                model.siteNames,
              )}
              onChange={(value) => setDraft({ ...draftRef.current, [field.id]: value })}
              onCommit={commit}
              choices={field.reference === 'site' ? siteChoices : undefined}
              fileName={fileNames.get(displayValue(draft[field.id]))?.fileName}
              onDownload={downloadOf(fileNames.get(displayValue(draft[field.id])))}
              onFile={(file) => upload(field.id, file)}
            />
          );
        })}
      </fieldset>
      <p className="form-status" aria-hidden="true">
        {status}
      </p>
      {failure ? (
        <p className="error" role="alert">
          {failure}
        </p>
      ) : null}
    </form>
  );
}

const plainOrNone = (message: string | undefined, names: ReadonlyMap<string, string>) =>
  message === undefined ? undefined : plainMessage(message, names);
