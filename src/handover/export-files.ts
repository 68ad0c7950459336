import type { Principal } from '../access/roles.js';
import { XLSX, type Download } from '../http/download.js';
import { exportCsv, exportedEntities, exportXlsx } from './exports.js';
import { handoverErrors, type HandoverService } from './handover-service.js';

/** Which export is asked for: every entity as XLSX, or one entity's CSV (the default with one). */
export interface ExportRequest {
  format?: 'xlsx' | 'csv' | undefined;
  entity?: string | undefined;
  /** Secret fields to show in clear (each shown value is audited). */
  reveal: readonly string[];
}

/**
 * The provisioning exports of an approved acquisition as files: one XLSX with a sheet per entity,
 * or one entity's CSV, named after the acquisition or the entity. An entity with nothing to export
 * is refused (`handover.entity-not-exported`).
 */
export class HandoverExports {
  constructor(private readonly handover: HandoverService) {}

  async file(id: string, principal: Principal, request: ExportRequest): Promise<Download> {
    const { format = request.entity ? 'csv' : 'xlsx', entity } = request;
    const { catalog, records, reveal, siteName } = await this.handover.exportData(
      id,
      principal,
      request.reveal,
      format === 'csv' ? entity : undefined,
    );
    if (format === 'csv') {
      const spec = exportedEntities(catalog, records).find((e) => e.id === entity);
      if (!spec) throw handoverErrors.entityNotExported(entity ?? '');
      return {
        contentType: 'text/csv; charset=utf-8',
        fileName: `${spec.id}.csv`,
        body: exportCsv(spec, records, reveal, siteName),
      };
    }
    const body = await exportXlsx(catalog, records, reveal, siteName);
    return { contentType: XLSX, fileName: `handover-${id}.xlsx`, body };
  }
}
