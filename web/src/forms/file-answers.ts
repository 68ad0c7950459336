import { useCallback, useEffect, useState } from 'react';
import type { Api, ApiRecord } from '../api.js';

interface AttachmentView {
  id: string;
  fileName: string;
}

/**
 * The names of the files an acquisition's records were given (a file field's value is the
 * attachment id, which nobody should have to read), and a way to add one just uploaded.
 */
export function useFileNames(
  api: Api,
  acquisitionId: string,
  enabled: boolean,
): [ReadonlyMap<string, string>, (id: string, name: string) => void] {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    api
      .get<AttachmentView[]>(`/acquisitions/${acquisitionId}/attachments`)
      .then((list) => !cancelled && setNames(new Map(list.map((a) => [a.id, a.fileName]))))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api, acquisitionId, enabled]);
  const remember = useCallback(
    (id: string, name: string) => setNames((current) => new Map(current).set(id, name)),
    [],
  );
  return [names, remember];
}

/** Uploads a file as a record field's answer; returns the attachment id and the record as saved. */
export async function uploadFileAnswer(
  api: Api,
  acquisitionId: string,
  record: ApiRecord,
  field: string,
  file: File,
): Promise<{ attachmentId: string; record: ApiRecord }> {
  const form = new FormData();
  form.append('file', file, file.name);
  const base = `/acquisitions/${acquisitionId}/records/${encodeURIComponent(record.id)}`;
  const result = await api.upload<{ attachment: { id: string } }>(
    `${base}/files/${encodeURIComponent(field)}`,
    form,
  );
  return { attachmentId: result.attachment.id, record: await api.get<ApiRecord>(base) };
}
