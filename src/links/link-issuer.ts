import { generateToken, hashToken } from '../access/tokens.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { AppError, errors } from '../errors.js';
import { LINK_PREFIX } from '../access/authenticate.js';
import { buildLinkMessage } from '../mail/link-message.js';
import { mailFailure, type Mailer } from '../mail/mailer.js';
import type { AccessLink, LinkRepository } from './link-repository.js';

const DAY = 24 * 60 * 60 * 1000;

/** What issuing a link is asked for. */
export interface LinkRequest {
  contactName: string;
  contactEmail?: string | undefined;
  /** Days until it expires: 14 unless said. */
  expiresInDays?: number | undefined;
  /** Also send it to `contactEmail`. */
  sendEmail?: boolean | undefined;
}

/** A link as issued: its token and address, shown this once. */
export type IssuedLink = AccessLink & { token: string; url: string };

/** Where a link that could not be emailed is told (the request's log). */
export type WarnLog = { warn: (details: { err: Error }, message: string) => void };

/**
 * Issues customer links. A link is refused on an acquisition that is cancelled or handed over;
 * only its hash is stored. Sent by email on request (when a mailer is configured and the link
 * has an address): when sending fails nobody received it, so it is revoked at once and the
 * caller gets `mail.send-failed`.
 */
export class LinkIssuer {
  constructor(
    private readonly links: LinkRepository,
    private readonly acquisitions: AcquisitionService,
    private readonly publicUrl: string,
    private readonly now: () => Date,
    private readonly mailer: Mailer | undefined,
  ) {}

  async issue(
    acquisitionId: string,
    request: LinkRequest,
    createdBy: string,
    log: WarnLog,
  ): Promise<IssuedLink> {
    const { contactEmail, sendEmail } = request;
    if (sendEmail && !this.mailer) throw errors.mailNotConfigured();
    if (sendEmail && !contactEmail)
      throw errors.invalidRequest('A link is sent by email only to a contactEmail.', [
        { pointer: '/contactEmail', detail: 'is required when sendEmail is true' },
      ]);
    const acquisition = await this.acquisitions.get(acquisitionId);
    if (acquisition.state === 'cancelled' || acquisition.state === 'handed_over') {
      throw new AppError(
        'acquisition.locked',
        409,
        `The acquisition is ${acquisition.state.replace('_', ' ')}; no customer link can be issued.`,
      );
    }
    const token = `${LINK_PREFIX}${generateToken().slice(4)}`;
    const issued = this.now();
    const link = await this.links.insert({
      acquisitionId: acquisition.id,
      contactName: request.contactName,
      contactEmail: contactEmail ?? null,
      tokenHash: hashToken(token),
      createdBy,
      createdAt: issued.toISOString(),
      expiresAt: new Date(issued.getTime() + (request.expiresInDays ?? 14) * DAY).toISOString(),
    });
    const url = `${this.publicUrl}/portal#${token}`;
    if (sendEmail && this.mailer && contactEmail) {
      const message = buildLinkMessage({
        to: contactEmail,
        contactName: link.contactName,
        customerName: acquisition.customerName,
        proposalReference: acquisition.proposalReference,
        operator: link.createdBy,
        url,
        expiresAt: link.expiresAt,
      });
      try {
        await this.mailer.send(message);
      } catch (error) {
        // Nobody received the link: it goes at once rather than wait unused for its expiry.
        await this.links.revoke(acquisition.id, link.id, this.now());
        log.warn({ err: mailFailure(error) }, 'a customer link could not be emailed');
        throw errors.mailSendFailed();
      }
      const emailedAt = this.now();
      await this.links.markEmailed(link.id, emailedAt);
      link.emailedAt = emailedAt.toISOString();
    }
    return { ...link, token, url };
  }
}
