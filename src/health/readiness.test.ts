import { describe, expect, it } from 'vitest';
import { checkReadiness } from './readiness.js';

describe('readiness', () => {
  it('names what is missing: an unreachable database, pending migrations, a stopped relay', async () => {
    const down = await checkReadiness({
      ping: () => Promise.reject(new Error('connection refused at 10.1.2.3')),
      pendingMigrations: () => Promise.resolve([]),
      relayRunning: () => true,
    });
    expect(down).toEqual({
      ready: false,
      checks: { database: 'unreachable', migrations: 'unknown', relay: 'ok' },
    });
    const behind = await checkReadiness({
      ping: () => Promise.resolve(),
      pendingMigrations: () => Promise.resolve(['20261128T2200-one-running-import']),
      relayRunning: () => false,
    });
    expect(behind).toEqual({
      ready: false,
      checks: {
        database: 'ok',
        migrations: 'pending: 20261128T2200-one-running-import',
        relay: 'stopped',
      },
    });
  });
});
