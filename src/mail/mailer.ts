import nodemailer from 'nodemailer';
import type { MailMessage } from './mail-message.js';

/** Sends an email; rejects when the server does not take it. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * A mailer that hands messages to the SMTP server at `url` (`smtp://host:port`, or `smtps://`
 * with a user and password in the URL), from `from`. One connection per message: links and
 * reminders are few. Waits at most 10 seconds for the server, so a request that sends a link
 * does not hang on it.
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(
    { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 },
    { from },
  );
  return {
    async send(message) {
      await transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
  };
}

/**
 * What may be logged of a failed send: the SMTP code and reply number, never the message, which
 * can name the recipient.
 */
export function mailFailure(error: unknown): Error {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return new Error(
    `email not sent: ${typeof code === 'string' ? code : 'error'}${typeof responseCode === 'number' ? ` (SMTP ${responseCode})` : ''}`,
  );
}
