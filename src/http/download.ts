import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** A file the API sends for saving: its type, the name it is saved under, and its bytes. */
export interface Download {
  contentType: string;
  fileName: string;
  body: Buffer | string | Readable;
}

/** The MIME type of an XLSX workbook. */
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a download as an attachment with its type and file name. */
export function sendDownload(reply: FastifyReply, download: Download): FastifyReply {
  return reply
    .header('content-type', download.contentType)
    .header('content-disposition', `attachment; filename="${download.fileName}"`)
    .send(download.body);
}
