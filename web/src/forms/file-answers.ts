import { useCallback, useMemo, useState } from 'react';
import type { Api, ApiRecord } from '../api.js';
import { getRecord } from '../endpoints.js';
import { useAttachments } from '../queries.js';

/** A file given as an answer, as a form shows it. */
export interface FileAnswer {
  fileName: string;
  href?: string | undefined;
}

/**
 * The names of the files an acquisition's records were given (a file field's value is the
 * attachment id, which nobody should have to read), and a way to add one just uploaded.
 */
export function useFileNames(
  api: Api,
  acquisitionId: string,
  enabled: boolean,
): [ReadonlyMap<string, FileAnswer>, (id: string, file: FileAnswer) => void] {
  const attachments = useAttachments(api, acquisitionId, enabled);
  // Files uploaded here since the list was read.
  const [added, setAdded] = useState<ReadonlyMap<string, FileAnswer>>(new Map());
  const names = useMemo(() => {
    const all = new Map<string, FileAnswer>();
    for (const a of attachments.data ?? []) all.set(a.id, { fileName: a.fileName, href: a.href });
    for (const [id, file] of added) all.set(id, file);
    return all;
  }, [attachments.data, added]);
  const remember = useCallback(
    (id: string, file: FileAnswer) => setAdded((current) => new Map(current).set(id, file)),
    [],
  );
  return [names, remember];
}

/**
 * Uploads a file as a record field's answer; returns the attachment (with its download address
 * for staff) and the record as saved.
 */
export async function uploadFileAnswer(
  api: Api,
  acquisitionId: string,
  record: ApiRecord,
  field: string,
  file: File,
): Promise<{ attachmentId: string; href?: string | undefined; record: ApiRecord }> {
  const form = new FormData();
  form.append('file', file, file.name);
  const base = `/acquisitions/${acquisitionId}/records/${encodeURIComponent(record.id)}`;
  const result = await api.upload<{ attachment: { id: string; href?: string } }>(
    `${base}/files/${encodeURIComponent(field)}`,
    form,
  );
  return {
    attachmentId: result.attachment.id,
    href: result.attachment.href,
    record: await getRecord(api, acquisitionId, record.id),
  };
}
