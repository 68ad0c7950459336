import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import { errors } from '../errors.js';
import { XLSX, type Download } from '../http/download.js';
import { importErrors } from './import-errors.js';
import type { Audience } from './sheet-columns.js';
import { buildTemplateCsv, buildTemplateXlsx } from './template.js';
import {
  templateEntities,
  templateRowGroups,
  templateSheets,
  type TemplateLayout,
} from './template-sheets.js';

/** What a template is asked for: XLSX or CSV, one entity or row group, and the sheets' layout. */
export interface TemplateRequest {
  format?: 'xlsx' | 'csv' | undefined;
  entity?: string | undefined;
  layout?: TemplateLayout | undefined;
}

/**
 * Builds the spreadsheet template of an acquisition for an audience: the entities (or row groups)
 * the caller fills in, with the expected rows pre-filled from the records as they stand. A CSV
 * holds one entity or row group; an unknown entity is refused with the mapping error imports use.
 */
export class TemplateService {
  constructor(
    private readonly acquisitions: AcquisitionService,
    private readonly capture: CaptureService,
  ) {}

  async build(
    acquisitionId: string,
    audience: Audience,
    request: TemplateRequest,
  ): Promise<Download> {
    const { format = 'xlsx', entity, layout = 'entities' } = request;
    const acquisition = await this.acquisitions.get(acquisitionId);
    const ctx = await this.capture.engine.context(acquisition.id);
    const templated = templateEntities(ctx, audience);
    const allGroups = templateRowGroups(ctx, templated);
    const group = entity ? allGroups.find((g) => g.id === entity) : undefined;
    const groups = group ? [group] : layout === 'combined' && !entity ? allGroups : [];
    const entities = templated.filter(
      (e) => !entity || e.id === entity || (group?.entities.includes(e.id) ?? false),
    );
    if (entity && entities.length === 0) {
      throw importErrors.invalidMapping([
        { pointer: '/entity', detail: `"${entity}" is not an entity this template has` },
      ]);
    }
    if (format === 'csv' && !entity)
      throw errors.invalidRequest(
        'A CSV template holds one entity or row group: name it with entity=…',
        [{ pointer: '/entity', detail: 'is required with format=csv' }],
      );
    const records = new Map(
      await Promise.all(
        entities.map(
          async (e) => [e.id, await this.capture.recordsOfEntity(acquisition.id, e.id)] as const,
        ),
      ),
    );
    const sheets = templateSheets(ctx, audience, entities, groups, records);
    const name = `intake-${acquisition.proposalReference.replace(/[^\w.-]+/g, '_')}`;
    if (format === 'csv')
      return {
        contentType: 'text/csv; charset=utf-8',
        fileName: `${name}-${entity}.csv`,
        body: buildTemplateCsv(sheets[0]!),
      };
    const body = await buildTemplateXlsx({ acquisition, audience, sheets });
    return { contentType: XLSX, fileName: `${name}.xlsx`, body };
  }
}
