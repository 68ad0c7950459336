import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration', () => {
  it('has safe defaults: loopback, port 3000, the embedded SQLite file', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/intake.db',
      demo: true,
      logLevel: 'info',
      publicUrl: 'http://127.0.0.1:3000',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      INTAKE_ADMIN_TOKEN: 'a-very-long-admin-token-value-123',
      INTAKE_CATALOG_DIR: '/etc/intake/catalog',
      INTAKE_DEMO: 'false',
      INTAKE_LOG_LEVEL: 'warn',
      INTAKE_BODY_LIMIT: '2048',
      INTAKE_PUBLIC_URL: 'https://intake.example/',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      adminToken: 'a-very-long-admin-token-value-123',
      catalogDir: '/etc/intake/catalog',
      demo: false,
      logLevel: 'warn',
      bodyLimit: 2048,
      publicUrl: 'https://intake.example',
    });
  });

  it('stops on a malformed value, naming the variable', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([
      'PORT="eighty" must be a whole number from 0 to 65535',
    ]);
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT=/);
    expect(problemsOf({ INTAKE_DEMO: 'maybe' })).toEqual([
      'INTAKE_DEMO="maybe" must be true or false',
    ]);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL must be/);
    expect(problemsOf({ INTAKE_ADMIN_TOKEN: 'short' })[0]).toMatch(
      /^INTAKE_ADMIN_TOKEN must be at least 24/,
    );
    expect(problemsOf({ INTAKE_LOG_LEVEL: 'loud' })[0]).toMatch(/^INTAKE_LOG_LEVEL="loud"/);
    expect(problemsOf({ INTAKE_IMPORT_RETENTION_DAYS: '0' })).toEqual([
      'INTAKE_IMPORT_RETENTION_DAYS="0" must be a whole number from 1 to 36500',
    ]);
  });

  it('keeps import files 7 days unless INTAKE_IMPORT_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}).importRetentionDays).toBe(7);
    expect(loadConfig({ INTAKE_IMPORT_RETENTION_DAYS: '30' }).importRetentionDays).toBe(30);
  });

  it('reads the throttle: a minute, 20 failures, 600 link requests by default; validated', () => {
    expect(loadConfig({}).throttle).toEqual({
      windowMs: 60_000,
      authFailures: 20,
      linkRequests: 600,
    });
    expect(loadConfig({}).trustProxy).toBe(false);
    const set = loadConfig({
      INTAKE_THROTTLE_WINDOW_MS: '5000',
      INTAKE_AUTH_FAILURES_MAX: '3',
      INTAKE_LINK_REQUESTS_MAX: '10',
      INTAKE_TRUST_PROXY: 'true',
    });
    expect(set.throttle).toEqual({ windowMs: 5000, authFailures: 3, linkRequests: 10 });
    expect(set.trustProxy).toBe(true);
    expect(problemsOf({ INTAKE_AUTH_FAILURES_MAX: '0' })[0]).toMatch(/^INTAKE_AUTH_FAILURES_MAX=/);
  });

  it('stops on an unknown INTAKE_ variable, so a typo is never silently ignored', () => {
    expect(problemsOf({ INTAKE_ADMIN_TOKN: 'x' })[0]).toMatch(
      /^INTAKE_ADMIN_TOKN is not a setting Intake knows/,
    );
  });

  it('reports every problem at once, and does not echo secrets', () => {
    const problems = problemsOf({
      PORT: 'x',
      INTAKE_DEMO: 'y',
      INTAKE_ADMIN_TOKEN: 'secret value',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('secret value');
  });

  it('reads INTAKE_CALLBACK_ALLOW as CIDRs, addresses and host names, none by default', () => {
    expect(loadConfig({}).delivery.callbackAllow).toEqual({ ranges: [], hosts: [] });
    const allow = loadConfig({ INTAKE_CALLBACK_ALLOW: '10.20.0.0/16, ::1, hooks.internal' })
      .delivery.callbackAllow;
    expect(allow.hosts).toEqual(['hooks.internal']);
    expect(allow.ranges.map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual([
      '10.20.0.0/16',
      '::1/128',
    ]);
    expect(problemsOf({ INTAKE_CALLBACK_ALLOW: '10.0.0.0/40,not a host' })).toEqual([
      'INTAKE_CALLBACK_ALLOW: "10.0.0.0/40" is not a CIDR such as 10.0.0.0/8 or fd00::/8',
      'INTAKE_CALLBACK_ALLOW: "not a host" is not a CIDR, an IP address or a host name',
    ]);
  });

  it('sends no email unless INTAKE_SMTP_URL is set; reminders hourly after 3 days by default', () => {
    expect(loadConfig({}).mail).toEqual({
      smtpUrl: undefined,
      from: 'intake@localhost',
      reminderIntervalMinutes: 60,
      unusedLinkDays: 3,
    });
    const set = loadConfig({
      INTAKE_PUBLIC_URL: 'https://intake.example.com',
      INTAKE_SMTP_URL: 'smtp://mailer:secret-pass@127.0.0.1:2525',
      INTAKE_REMINDER_INTERVAL_MINUTES: '0',
      INTAKE_REMINDER_UNUSED_LINK_DAYS: '5',
    }).mail;
    expect(set).toEqual({
      smtpUrl: 'smtp://mailer:secret-pass@127.0.0.1:2525',
      from: 'intake@intake.example.com',
      reminderIntervalMinutes: 0,
      unusedLinkDays: 5,
    });
    expect(loadConfig({ INTAKE_MAIL_FROM: 'Intake <links@example.com>' }).mail.from).toBe(
      'Intake <links@example.com>',
    );
    const problems = problemsOf({
      INTAKE_SMTP_URL: 'http://user:secret-pass@mail',
      INTAKE_MAIL_FROM: 'nobody',
    });
    expect(problems).toEqual([
      'INTAKE_SMTP_URL must be an smtp:// or smtps:// URL',
      'INTAKE_MAIL_FROM must be an address, or a name and <address>',
    ]);
    expect(problems.join('\n')).not.toContain('secret-pass');
  });
});
