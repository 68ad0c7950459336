import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { appendEvents } from '../outbox/outbox.js';

/** A kind of TMF resource Intake serves: where it lives, its schemas and its events. */
export interface ResourceKind {
  /** `Customer`, `Organization`, `Individual`. */
  type: string;
  /** The API's base path, e.g. `/tmf-api/customerManagement/v4`. */
  basePath: string;
  /** The collection path under it, e.g. `customer`. */
  collection: string;
  /** The swagger document (see tmf/swagger-schemas.ts). */
  spec: 'customer' | 'party';
  /** Event names start with this: `customer` → customerCreateEvent. */
  eventPrefix: string;
  /** The attribute that holds the resource's state, for state change events. */
  stateAttribute: string;
}

export const CUSTOMER: ResourceKind = {
  type: 'Customer',
  basePath: '/tmf-api/customerManagement/v4',
  collection: 'customer',
  spec: 'customer',
  eventPrefix: 'customer',
  stateAttribute: 'status',
};
export const ORGANIZATION: ResourceKind = {
  type: 'Organization',
  basePath: '/tmf-api/party/v4',
  collection: 'organization',
  spec: 'party',
  eventPrefix: 'organization',
  stateAttribute: 'status',
};
export const INDIVIDUAL: ResourceKind = {
  type: 'Individual',
  basePath: '/tmf-api/party/v4',
  collection: 'individual',
  spec: 'party',
  eventPrefix: 'individual',
  stateAttribute: 'status',
};

export type TmfDocument = Record<string, unknown>;

/** The resource as the API shows it: its document with id, href, @type and @schemaLocation. */
export function present(kind: ResourceKind, id: string, body: TmfDocument): TmfDocument {
  return {
    id,
    href: `${kind.basePath}/${kind.collection}/${id}`,
    ...body,
    '@type': kind.type,
    '@baseType': kind.type === 'Customer' ? 'PartyRole' : 'Party',
    '@schemaLocation': `https://raw.githubusercontent.com/tmforum-apis/${kind.spec === 'customer' ? 'TMF629_CustomerManagement' : 'TMF632_PartyManagement'}/master/${kind.spec === 'customer' ? 'TMF629-Customer-v4.0.0' : 'TMF632-Party-v4.0.0'}.swagger.json#/definitions/${kind.type}`,
  };
}

const nameOf = (kind: ResourceKind, body: TmfDocument): string | null => {
  const name =
    kind.type === 'Individual'
      ? [body.givenName, body.familyName].filter((p) => typeof p === 'string').join(' ')
      : (body.name ?? body.tradingName);
  return typeof name === 'string' && name !== '' ? name.slice(0, 300) : null;
};

/**
 * Stores TMF resources and appends their events (`<prefix>CreateEvent`,
 * `AttributeValueChangeEvent`, `StateChangeEvent`, `DeleteEvent`) to the outbox in the same
 * transaction, so the hubs deliver them.
 */
export class TmfResourceStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** The resources of a kind, in creation order; only those an acquisition started, when given. */
  async list(
    kind: ResourceKind,
    acquisitionId?: string,
  ): Promise<{ id: string; body: TmfDocument }[]> {
    let query = this.db
      .selectFrom('tmf_resources')
      .select(['id', 'body'])
      .where('resource_type', '=', kind.type);
    if (acquisitionId) query = query.where('acquisition_id', '=', acquisitionId);
    const rows = await query.orderBy('position').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, body: JSON.parse(r.body) as TmfDocument }));
  }

  get(kind: ResourceKind, id: string): Promise<TmfDocument | undefined> {
    return this.read(this.db, kind, id);
  }

  private async read(
    db: Kysely<Database>,
    kind: ResourceKind,
    id: string,
  ): Promise<TmfDocument | undefined> {
    return (await this.readRow(db, kind, id))?.body;
  }

  /** A resource's document with the sequence of its last event. */
  private async readRow(
    db: Kysely<Database>,
    kind: ResourceKind,
    id: string,
  ): Promise<{ body: TmfDocument; version: number } | undefined> {
    const row = await db
      .selectFrom('tmf_resources')
      .select(['body', 'version'])
      .where('id', '=', id)
      .where('resource_type', '=', kind.type)
      .executeTakeFirst();
    return row
      ? { body: JSON.parse(row.body) as TmfDocument, version: Number(row.version) }
      : undefined;
  }

  /** Creates a resource (inside `db`, a transaction of the caller's when given). */
  async create(
    kind: ResourceKind,
    body: TmfDocument,
    options: { acquisitionId?: string; id?: string; db?: Kysely<Database> } = {},
  ): Promise<string> {
    const id = options.id ?? randomUUID();
    const at = this.now().toISOString();
    const write = async (trx: Kysely<Database>) => {
      await trx
        .insertInto('tmf_resources')
        .values({
          id,
          resource_type: kind.type,
          acquisition_id: options.acquisitionId ?? null,
          name: nameOf(kind, body),
          body: JSON.stringify(body),
          position: sql<number>`(select coalesce(max(position), 0) + 1 from tmf_resources)`,
          version: 1,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await this.event(trx, kind, id, 1, 'CreateEvent', body);
    };
    if (options.db) await write(options.db);
    else await this.db.transaction().execute(write);
    return id;
  }

  /** Replaces a resource's document; false when there is none. */
  async update(kind: ResourceKind, id: string, next: TmfDocument): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.readRow(trx, kind, id);
      if (!row) return false;
      const { body: before, version } = row;
      const changed = Object.keys({ ...before, ...next }).filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]),
      );
      const stateChanged = before[kind.stateAttribute] !== next[kind.stateAttribute];
      let sequence = version;
      if (changed.length > 0)
        await this.event(trx, kind, id, ++sequence, 'AttributeValueChangeEvent', next, changed);
      if (stateChanged) await this.event(trx, kind, id, ++sequence, 'StateChangeEvent', next);
      await trx
        .updateTable('tmf_resources')
        .set({
          body: JSON.stringify(next),
          name: nameOf(kind, next),
          version: sequence,
          updated_at: this.now().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      return true;
    });
  }

  async remove(kind: ResourceKind, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.readRow(trx, kind, id);
      if (!row) return false;
      await trx.deleteFrom('tmf_resources').where('id', '=', id).execute();
      await this.event(trx, kind, id, row.version + 1, 'DeleteEvent', row.body);
      return true;
    });
  }

  private async event(
    trx: Kysely<Database>,
    kind: ResourceKind,
    id: string,
    sequence: number,
    suffix: string,
    body: TmfDocument,
    changed?: string[],
  ): Promise<void> {
    const key = kind.eventPrefix;
    await appendEvents(
      trx,
      [
        {
          aggregateType: 'party',
          aggregateId: id,
          sequence,
          eventType: `${key}${suffix}`,
          payload: {
            [key]: present(kind, id, body),
            ...(changed ? { changedAttributes: changed } : {}),
          },
        },
      ],
      this.now(),
    );
  }
}
