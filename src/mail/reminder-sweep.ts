import { mailFailure, type Mailer } from './mailer.js';
import { planFollowUpReminders } from './follow-up-recipients.js';
import { buildFollowUpReminder, buildUnusedLinkReminder } from './reminder-messages.js';
import type { ReminderRepository } from './reminder-repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What one sweep did. */
export interface SweepResult {
  /** Emails sent: one per unused link, one per contact with answers due. */
  sent: number;
  /** Emails that failed; they are tried again by the next sweep. */
  failed: number;
  /** Due follow-ups whose contact has no address (not an address, no link to that name). */
  unreachable: number;
}

/**
 * Sends reminders by email: to the contact of a link issued `unusedLinkDays` ago and never used,
 * and to a contact whose follow-ups are due. Each reminder is recorded before it is sent, so the
 * same one never goes twice, and released when sending fails. Without a mailer it sends nothing.
 * Runs every `everyMs` once started; tests call `sweep()` with their own clock.
 */
export class ReminderSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly reminders: ReminderRepository,
    private readonly mailer: Mailer | undefined,
    private readonly unusedLinkDays: number,
    private readonly now: () => Date,
    /** Where a failed send is logged (never the address or a token). */
    private readonly logError: (error: unknown) => void = () => undefined,
  ) {}

  /** Sends the reminders due now. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { sent: 0, failed: 0, unreachable: 0 };
    if (!this.mailer) return result;
    const now = this.now();
    const unused = await this.reminders.unusedLinks(
      new Date(now.getTime() - this.unusedLinkDays * DAY_MS),
      now,
    );
    for (const link of unused) {
      if (!(await this.reminders.claim('unused-link', link.id, link.acquisitionId, now))) continue;
      const message = buildUnusedLinkReminder({
        to: link.contactEmail,
        contactName: link.contactName,
        customerName: link.customerName,
        operator: link.createdBy,
        issuedAt: link.createdAt,
        expiresAt: link.expiresAt,
      });
      await this.deliver(message, result, () => this.reminders.release('unused-link', [link.id]));
    }

    const due = await this.reminders.dueFollowUps(now.toISOString().slice(0, 10));
    const contacts = await this.reminders.linkContacts(
      due.map((f) => f.acquisitionId),
      now,
    );
    const plan = planFollowUpReminders(due, contacts);
    result.unreachable = plan.unreachable;
    for (const reminder of plan.reminders) {
      const claimed: string[] = [];
      for (const id of reminder.followUpIds) {
        if (await this.reminders.claim('follow-up', id, reminder.acquisitionId, now))
          claimed.push(id);
      }
      const items = reminder.items.filter((_, i) => claimed.includes(reminder.followUpIds[i]!));
      if (items.length === 0) continue;
      await this.deliver(buildFollowUpReminder({ ...reminder, items }), result, () =>
        this.reminders.release('follow-up', claimed),
      );
    }
    return result;
  }

  /** Sweeps now, then every `everyMs` until `stop`; the timer keeps no process alive. */
  start(everyMs: number): void {
    if (this.timer || !this.mailer) return;
    this.run();
    this.timer = setInterval(() => this.run(), everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async deliver(
    message: Parameters<Mailer['send']>[0],
    result: SweepResult,
    release: () => Promise<void>,
  ): Promise<void> {
    try {
      await this.mailer!.send(message);
      result.sent++;
    } catch (error) {
      result.failed++;
      await release();
      this.logError(mailFailure(error));
    }
  }

  private run(): void {
    if (this.running) return;
    this.running = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => this.logError(error))
      .finally(() => {
        this.running = undefined;
      });
  }
}
