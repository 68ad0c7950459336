import type { StoredRecord } from '../capture/capture-repository.js';
import { contactMedium, splitName } from './seed-parties.js';
import { CUSTOMER, INDIVIDUAL, type TmfDocument, type TmfResourceStore } from './tmf-resources.js';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * Brings an acquisition's customer record up to the captured data at handover: each captured
 * contact becomes (or updates) an individual, matched by email, else by name; the customer lists
 * them as related parties with their roles and becomes `Approved`. Each change is an event on the
 * hubs (`individualCreateEvent`, `…AttributeValueChangeEvent`, `customerStateChangeEvent`).
 */
export async function syncCustomerRecord(
  store: TmfResourceStore,
  acquisitionId: string,
  records: readonly StoredRecord[],
): Promise<void> {
  const individuals = await store.list(INDIVIDUAL, acquisitionId);
  const emailOf = (doc: TmfDocument) =>
    (doc.contactMedium as { characteristic?: { emailAddress?: string } }[] | undefined)?.find(
      (m) => m.characteristic?.emailAddress,
    )?.characteristic?.emailAddress;
  const related: TmfDocument[] = [];
  for (const contact of records.filter((r) => r.entity === 'contact')) {
    const name = text(contact.values.name);
    if (!name) continue;
    const email = text(contact.values.email);
    const phone = text(contact.values.phone);
    const names = splitName(name);
    const match =
      individuals.find((i) => email !== undefined && emailOf(i.body) === email) ??
      individuals.find(
        (i) => i.body.givenName === names.givenName && i.body.familyName === names.familyName,
      );
    const body: TmfDocument = {
      ...(match?.body ?? {}),
      ...names,
      contactMedium: contactMedium({ email, phone }),
    };
    let id = match?.id;
    if (id) {
      if (JSON.stringify(body) !== JSON.stringify(match!.body))
        await store.update(INDIVIDUAL, id, body);
    } else {
      id = await store.create(INDIVIDUAL, body, { acquisitionId });
    }
    related.push({
      id,
      name,
      role: text(contact.values.role) ?? 'contact',
      '@referredType': 'Individual',
    });
  }
  for (const customer of await store.list(CUSTOMER, acquisitionId)) {
    await store.update(CUSTOMER, customer.id, {
      ...customer.body,
      status: 'Approved',
      ...(related.length > 0 ? { relatedParty: related } : {}),
    });
  }
}
