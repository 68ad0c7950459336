/** An email as Intake sends it: plain text and the same words as simple HTML. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** One block of an email: a paragraph, a link on its own, or a list. */
export type MailBlock =
  { paragraph: string } | { link: string; label: string } | { list: string[] };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Builds a message from its blocks, once as plain text and once as HTML, so the two always say
 * the same. Every value is escaped in the HTML; a link is written out in full in both, so a
 * reader sees where it goes.
 *
 * @example
 * composeMessage('a@example.com', 'Hi', [{ paragraph: 'Hello A,' }]).text // 'Hello A,\n'
 */
export function composeMessage(to: string, subject: string, blocks: MailBlock[]): MailMessage {
  const text = blocks
    .map((b) =>
      'paragraph' in b
        ? b.paragraph
        : 'link' in b
          ? b.link
          : b.list.map((item) => `- ${item}`).join('\n'),
    )
    .join('\n\n');
  const html = blocks
    .map((b) =>
      'paragraph' in b
        ? `<p>${escapeHtml(b.paragraph)}</p>`
        : 'link' in b
          ? `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a><br>${escapeHtml(b.link)}</p>`
          : `<ul>${b.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`,
    )
    .join('\n');
  return {
    to,
    subject,
    text: `${text}\n`,
    html: `<!doctype html>\n<html lang="en"><body>\n${html}\n</body></html>\n`,
  };
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const date = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });

/** "2026-12-13T14:30:00.000Z" → "13 December 2026 at 14:30 UTC" (the reader's zone is unknown). */
export function formatDateTime(iso: string): string {
  return `${dateTime.format(new Date(iso))} UTC`;
}

/** "2026-12-13" or a timestamp → "13 December 2026". */
export function formatDate(isoDate: string): string {
  return date.format(new Date(isoDate.length === 10 ? `${isoDate}T00:00:00Z` : isoDate));
}
