import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../notifications/envelope.js';
import { dialects } from '../test/database.js';
import { customerSheetCells, openCustomerSheetAcquisition } from '../test/customer-sheet.js';
import type { startListener } from '../test/listener.js';
import { waitFor } from '../test/listener.js';
import { subscribeListener } from '../test/hub-listener.js';
import { createTestServer, type TestServer } from '../test/server.js';

type Listener = Awaited<ReturnType<typeof startListener>>;

describe.each(dialects)('the events of an import on %s', (dialect) => {
  let server: TestServer;
  const listeners: Listener[] = [];

  beforeAll(async () => {
    server = await createTestServer(dialect);
  });
  afterAll(async () => {
    await server.close();
    for (const l of listeners) await l.close();
  });

  const subscribe = async (path: string) => {
    const { listener } = await subscribeListener(server, path);
    listeners.push(listener);
    return listener;
  };

  it('sends one recordsImportedEvent per applied import to the Intake hub, and per-record events for edits', async () => {
    const intake = await subscribe('/api/v1/hub');
    const customers = await subscribe('/tmf-api/customerManagement/v4/hub');
    const acquisitionId = await openCustomerSheetAcquisition(server);
    const csv = customerSheetCells()
      .map((row) => row.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))
      .join('\r\n');
    const importOf = async (name: string, mode: 'valid-rows' | 'validate') => {
      const path = join(server.dataDir, name);
      await writeFile(path, csv);
      const started = await server.services.imports.start({
        acquisitionId,
        upload: { path, fileName: name, sha256: name },
        mode,
        match: 'merge',
        actor: 'events-test',
        createdBy: 'events-test',
        customerOnly: false,
      });
      return started.done;
    };
    // A dry run is rolled back: no event.
    expect(await importOf('dry.csv', 'validate')).toMatchObject({ applied: false });
    const job = await importOf('phones.csv', 'valid-rows');
    expect(job).toMatchObject({ applied: true, created: 2, updated: 18 });
    // An edit after it: one event for the record, as before.
    const user = (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${acquisitionId}/records?entity=user&limit=1`,
        headers: server.auth('sales'),
      })
    ).json<{ items: { id: string }[] }>().items[0]!;
    await server.services.capture.engine.write(
      acquisitionId,
      [{ op: 'update', id: user.id, patch: { firstName: 'Edited' } }],
      { source: 'api', actor: 'events-test' },
    );

    const events = await server.database.db
      .selectFrom('outbox_events')
      .select(['event_type', 'aggregate_id', 'payload'])
      .where('event_type', 'like', 'record%')
      .execute();
    const imported = events.filter((e) => e.event_type === 'recordsImportedEvent');
    expect(imported).toHaveLength(1);
    expect(imported[0]!.aggregate_id).toBe(acquisitionId);
    expect(JSON.parse(imported[0]!.payload)).toEqual({
      acquisitionId,
      importId: job.id,
      href: `/api/v1/acquisitions/${acquisitionId}/imports/${job.id}`,
      fileName: 'phones.csv',
      mode: 'valid-rows',
      entities: ['user', 'handset'],
      rowsRead: 10,
      created: 2,
      updated: 18,
      unchanged: 0,
      invalid: job.invalid,
      source: 'import',
      actor: 'events-test',
    });
    // The only per-record event is the edit's (the number blocks were written before, by the API).
    const edits = events.filter(
      (e) => e.event_type !== 'recordsImportedEvent' && e.aggregate_id === user.id,
    );
    expect(edits.map((e) => e.event_type)).toEqual(['recordAttributeValueChangeEvent']);
    const perRecord = events.filter((e) => e.event_type !== 'recordsImportedEvent');
    expect(perRecord.map((e) => e.aggregate_id).filter((id) => id !== user.id)).toHaveLength(2);

    server.services.relay.start();
    const received = () =>
      intake.received.map((r) => JSON.parse(r.body) as Notification).map((n) => n.eventType);
    await waitFor(async () => {
      const deliveries = await server.services.subscriptions.deliveries({ limit: 1000 });
      return (
        received().includes('recordsImportedEvent') &&
        deliveries.every((d) => d.status === 'delivered')
      );
    }, 30_000);
    await server.services.relay.stop();
    const notification = intake.received
      .map((r) => JSON.parse(r.body) as Notification)
      .find((n) => n.eventType === 'recordsImportedEvent')!;
    expect(notification.event).toMatchObject({ acquisitionId, importId: job.id, created: 2 });
    expect(received().filter((t) => t === 'recordsImportedEvent')).toHaveLength(1);
    // The TMF629 hub offers customer events only: an import is not one.
    expect(customers.received.map((r) => r.body).join('\n')).not.toContain('recordsImported');
  });
});
