import { useCallback, useEffect, useState } from 'react';
import type { Api, ApiRecord } from '../api.js';

interface AttachmentView {
  id: string;
  fileName: string;
  /** Staff only: where to download it. */
  href?: string;
}

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
  const [names, setNames] = useState<ReadonlyMap<string, FileAnswer>>(new Map());
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    api
      .get<AttachmentView[]>(`/acquisitions/${acquisitionId}/attachments`)
      .then(
        (list) =>
          !cancelled &&
          setNames(new Map(list.map((a) => [a.id, { fileName: a.fileName, href: a.href }]))),
      )
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api, acquisitionId, enabled]);
  const remember = useCallback(
    (id: string, file: FileAnswer) => setNames((current) => new Map(current).set(id, file)),
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
    record: await api.get<ApiRecord>(base),
  };
}
