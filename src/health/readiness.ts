/** What readiness found, check by check. */
export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; relay: string };
}

/** The probes readiness runs; each is I/O at the edge, the verdict is pure. */
export interface ReadinessProbes {
  ping(): Promise<void>;
  pendingMigrations(): Promise<string[]>;
  relayRunning(): boolean;
}

/**
 * Ready to take traffic: the database answers, every migration this code knows has run, and the
 * relay is delivering. A failing probe is reported by name, never with the driver's message.
 */
export async function checkReadiness(probes: ReadinessProbes): Promise<Readiness> {
  const database = await probes.ping().then(
    () => 'ok',
    () => 'unreachable',
  );
  const migrations =
    database !== 'ok'
      ? 'unknown'
      : await probes.pendingMigrations().then(
          (pending) => (pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`),
          () => 'unknown',
        );
  const relay = probes.relayRunning() ? 'ok' : 'stopped';
  return {
    ready: database === 'ok' && migrations === 'ok' && relay === 'ok',
    checks: { database, migrations, relay },
  };
}
