import { AttachmentRepository, attachmentsNamed } from '../attachments/attachment-repository.js';
import type { Kysely } from 'kysely';
import type { Principal } from '../access/roles.js';
import { appendAcquisitionEvent } from '../acquisitions/acquisition-events.js';
import { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { AcquisitionWithProposal } from '../acquisitions/acquisition.js';
import type { LifecycleService } from '../acquisitions/lifecycle-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { isSecretField } from '../secrets/sealing.js';
import { SecretReveals } from '../secrets/secret-reveals.js';
import { exportColumns, exportedEntities, exportRows } from './exports.js';
import { ORDER_SYSTEM_ID, queueOrderDelivery } from '../notifications/relay.js';
import {
  buildProductOrder,
  orderedProducts,
  type OrderedProduct,
  type ProductOrder,
} from './product-order.js';
import { siteNamesOf } from './site-names.js';
import { syncCustomerRecord } from '../parties/sync-parties.js';
import type { TmfResourceStore } from '../parties/tmf-resources.js';

/** What a handover sent, and the order system's answer so far. */
export interface HandoverSummary {
  state: string;
  orderId: string | null;
  error: string | null;
  /** Whether an order system is configured (without one, handing over is immediate). */
  orderSystem: boolean;
  products: OrderedProduct[];
  /** Items in the ProductOrder: the products and every record bundled under them. */
  items: number;
  delivery: {
    status: 'pending' | 'delivered' | 'dead';
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string | null;
    deliveredAt: string | null;
    sentAt: string;
  } | null;
}

export const handoverErrors = {
  notApproved: (state: string) =>
    new AppError(
      'handover.not-approved',
      409,
      `The acquisition is ${state.replace('_', ' ')}; its handover package exists once it is approved.`,
    ),
  entityNotExported: (entity: string) =>
    new AppError(
      'handover.entity-not-found',
      404,
      `The acquisition has no "${entity}" records to export.`,
    ),
};

/** The one who hands over when the order system accepts (no person is involved then). */
const ORDER_SYSTEM: Principal = { tokenId: 'order-system', name: 'order system', role: 'admin' };

/**
 * The handover: the approved data in the forms other processes need (the TMF622 ProductOrder,
 * provisioning exports, the whole package as JSON), and the step to `handed_over`, which waits
 * for the order system's 201 when one is configured.
 */
export class HandoverService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly acquisitions: AcquisitionService,
    private readonly capture: CaptureService,
    private readonly lifecycle: LifecycleService,
    private readonly orderApiUrl: string | undefined,
    private readonly now: () => Date,
    private readonly parties?: TmfResourceStore,
  ) {}

  private async approved(id: string): Promise<AcquisitionWithProposal> {
    const acquisition = await this.acquisitions.get(id);
    if (acquisition.state !== 'approved' && acquisition.state !== 'handed_over')
      throw handoverErrors.notApproved(acquisition.state);
    return acquisition;
  }

  private async records(id: string): Promise<StoredRecord[]> {
    return this.capture.allRecords(id);
  }

  async productOrder(id: string): Promise<ProductOrder> {
    await this.approved(id);
    const ctx = await this.capture.engine.context(id);
    return buildProductOrder(ctx, await this.records(id));
  }

  /**
   * What the handover sent and what came of it: the products of the ProductOrder with their
   * records, and the delivery to the order system (attempts, its last answer, the next try).
   */
  async summary(id: string): Promise<HandoverSummary> {
    const acquisition = await this.approved(id);
    const order = await this.productOrder(id);
    const delivery = await this.db
      .selectFrom('deliveries')
      .select(['status', 'attempts', 'last_error', 'next_attempt_at', 'delivered_at', 'created_at'])
      .where('subscription_id', '=', ORDER_SYSTEM_ID)
      .where('aggregate_id', '=', id)
      .where('event_type', '=', 'customerDataReadyEvent')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return {
      state: acquisition.state,
      orderId: acquisition.orderId,
      error: acquisition.handoverError,
      orderSystem: Boolean(this.orderApiUrl),
      products: orderedProducts(order),
      items: order.productOrderItem.length,
      delivery: delivery
        ? {
            status: delivery.status as 'pending' | 'delivered' | 'dead',
            attempts: Number(delivery.attempts),
            lastError: delivery.last_error,
            nextAttemptAt: delivery.status === 'pending' ? delivery.next_attempt_at : null,
            deliveredAt: delivery.delivered_at,
            sentAt: delivery.created_at,
          }
        : null,
    };
  }

  /** The records of the acquisition for provisioning exports, with the catalogue to lay them out. */
  async exportData(
    id: string,
    principal: Principal,
    revealFields: readonly string[] = [],
    entity?: string,
  ) {
    await this.approved(id);
    const ctx = await this.capture.engine.context(id);
    const records = await this.records(id);
    const reveals = new SecretReveals(this.db);
    const request = { acquisitionId: id, fields: revealFields, channel: 'export' as const };
    const reveal = reveals.authorize(ctx.catalog, principal, request);
    // One audit row per entity and field shown: an export reveals every record of the entity.
    const shown = [...new Set(records.map((r) => r.entity))]
      .filter((e) => entity === undefined || e === entity)
      .map((e) => ({
        entity: e,
        recordId: null,
        fields: [...reveal].filter((f) => isSecretField(e, f)),
      }))
      .filter((s) => s.fields.length > 0);
    await reveals.record(principal, request, shown, this.now().toISOString());
    return {
      catalog: ctx.catalog,
      records,
      reveal,
      siteName: siteNamesOf(ctx.acquisition.proposal.sites, records),
    };
  }

  /** The whole package as JSON: the acquisition, the ProductOrder and every entity's export. */
  async package(id: string) {
    const acquisition = await this.approved(id);
    const ctx = await this.capture.engine.context(id);
    const records = await this.records(id);
    const siteName = siteNamesOf(ctx.acquisition.proposal.sites, records);
    return {
      acquisition: {
        id: acquisition.id,
        proposalReference: acquisition.proposalReference,
        customerName: acquisition.customerName,
        state: acquisition.state,
        approvedAt: acquisition.approvedAt,
        approvedBy: acquisition.approvedBy,
        customerConfirmation: acquisition.customerConfirmation,
        catalogVersion: acquisition.catalogVersion,
      },
      productOrder: buildProductOrder(ctx, records),
      // The files given as answers (signed LOAs, invoices): listed here, downloaded one by one.
      attachments: attachmentsNamed(await new AttachmentRepository(this.db).list(id), records).map(
        (a) => ({
          id: a.id,
          recordId: a.recordId,
          entity: a.entity,
          field: a.field,
          fileName: a.fileName,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          href: `/api/v1/acquisitions/${id}/attachments/${a.id}`,
        }),
      ),
      exports: exportedEntities(ctx.catalog, records).map((entity) => ({
        entity: entity.id,
        columns: exportColumns(entity).map((c) => c.header),
        rows: exportRows(entity, records, new Set(), siteName),
      })),
    };
  }

  /**
   * Hands over an approved acquisition. Without an order system the package is built and the
   * acquisition is handed over at once. With one, the ProductOrder goes out through the outbox
   * (a `customerDataReadyEvent` that the relay POSTs to the order system, with retries), and the
   * acquisition is handed over when the order system answers 201.
   */
  async handOver(id: string, by: Principal): Promise<{ status: 'handed_over' | 'pending' }> {
    const acquisition = await this.approved(id);
    if (acquisition.state === 'handed_over') return { status: 'handed_over' };
    const records = await this.records(id);
    const productOrder = buildProductOrder(await this.capture.engine.context(id), records);
    // The customer record gets the captured contacts before anyone is told the data is ready.
    if (this.parties) await syncCustomerRecord(this.parties, id, records);
    if (!this.orderApiUrl) {
      await this.lifecycle.transition(id, 'handOver', by);
      await this.appendReady(id, productOrder);
      return { status: 'handed_over' };
    }
    await this.appendReady(id, productOrder);
    return { status: 'pending' };
  }

  private async appendReady(id: string, productOrder: ProductOrder): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await new AcquisitionRepository(trx).recordHandoverError(id, null);
      const now = this.now();
      const event = await appendAcquisitionEvent(
        trx,
        id,
        'customerDataReadyEvent',
        { acquisitionId: id, productOrder },
        now,
      );
      if (this.orderApiUrl) await queueOrderDelivery(trx, { ...event, aggregateId: id }, now);
    });
  }

  /** The order system accepted the ProductOrder: the acquisition is handed over. */
  async orderAccepted(acquisitionId: string, orderId: string | undefined): Promise<void> {
    await new AcquisitionRepository(this.db).recordOrder(acquisitionId, orderId ?? null);
    const acquisition = await this.acquisitions.get(acquisitionId);
    if (acquisition.state === 'approved')
      await this.lifecycle.transition(acquisitionId, 'handOver', ORDER_SYSTEM);
  }

  /** An attempt failed: the reason shows on the acquisition until one succeeds. */
  async orderFailed(acquisitionId: string, reason: string): Promise<void> {
    await new AcquisitionRepository(this.db).recordHandoverError(acquisitionId, reason);
  }
}
