import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isAllowed, type Principal } from '../access/roles.js';
import type { Catalog } from '../catalog/model.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { secretFieldsOf } from './secret-fields.js';

/** A request to see secret fields in clear. */
export interface RevealRequest {
  acquisitionId: string;
  /** The fields asked for by id (`?reveal=accountNumber,accountPin`). */
  fields: readonly string[];
  channel: 'records' | 'export';
}

const forbidden = (fields: string[]) =>
  new AppError(
    'secret.reveal-forbidden',
    403,
    `You may not see ${fields.map((f) => `"${f}"`).join(', ')} in clear: only the roles the catalogue lists for a secret field may ask for it, and customer links never may.`,
    fields.map((f) => ({ pointer: '/reveal', detail: `"${f}" cannot be revealed to this caller` })),
  );

/**
 * Decides which secret fields a caller may see in clear, and writes one audit row per record and
 * field actually shown (never the value). Asking for a field that is not secret, or one the
 * caller's role may not reveal, refuses the whole request with 403.
 */
export class SecretReveals {
  constructor(private readonly db: Kysely<Database>) {}

  /** The fields granted; throws 403 naming those refused. Nothing is recorded until `record`. */
  authorize(catalog: Catalog, principal: Principal, request: RevealRequest): Set<string> {
    if (request.fields.length === 0) return new Set();
    const secrets = secretFieldsOf(catalog);
    const refused = request.fields.filter((field) => {
      if (principal.link) return true;
      const roles = [...secrets.values()].map((f) => f.get(field)).find(Boolean);
      return !roles || !isAllowed(principal.role, roles);
    });
    if (refused.length > 0) throw forbidden(refused);
    return new Set(request.fields);
  }

  /** Records who saw which secret fields of which records (`null`: every record of the entity). */
  async record(
    principal: Principal,
    request: RevealRequest,
    shown: readonly { entity: string; recordId: string | null; fields: readonly string[] }[],
    at: string,
  ): Promise<void> {
    const rows = shown.flatMap((s) =>
      s.fields.map((field) => ({
        id: randomUUID(),
        acquisition_id: request.acquisitionId,
        entity: s.entity,
        field,
        record_id: s.recordId,
        channel: request.channel,
        actor: principal.name,
        token_id: principal.tokenId,
        at,
      })),
    );
    for (let i = 0; i < rows.length; i += 500)
      await this.db
        .insertInto('secret_reveals')
        .values(rows.slice(i, i + 500))
        .execute();
  }
}
