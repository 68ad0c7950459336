import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api.js';
import { issueCustomerLink } from '../endpoints.js';
import { queryKeys, useCustomerLinks } from '../queries.js';
import { useSignedIn } from '../session.js';
import { LinkQrCode } from './LinkQrCode.js';
import './customer-links.css';

/** A link just issued: shown once, with whom it was for and where it was emailed. */
interface IssuedLink {
  url: string;
  contactName: string;
  emailedTo: string | null;
}

/** Links for the customer's contact to fill in their part; the link itself is shown once. */
export function CustomerLinks({
  acquisitionId,
  state,
}: {
  acquisitionId: string;
  /** The acquisition's state: links are issued while the customer still has answers to give. */
  state: string;
}) {
  const { api } = useSignedIn();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [sendEmail, setSendEmail] = useState(false);
  const [issued, setIssued] = useState<IssuedLink | null>(null);
  const [copied, setCopied] = useState('');
  const [localError, setError] = useState('');
  const linksQuery = useCustomerLinks(api, acquisitionId);
  const links = linksQuery.data?.items ?? [];
  const emailAvailable = linksQuery.data?.emailAvailable === true;
  const error = localError || (linksQuery.error ? messageOf(linksQuery.error) : '');
  const queryClient = useQueryClient();
  return (
    <section aria-labelledby="links-heading" className="links">
      <h2 id="links-heading">Customer links</h2>
      <ul>
        {links
          .filter((l) => !l.revokedAt)
          .map((l) => (
            <li key={l.id}>
              {l.contactName}:{' '}
              {l.submittedAt ? `part submitted ${l.submittedAt.slice(0, 10)}` : 'not submitted yet'}
              {l.emailedAt ? `, emailed ${l.emailedAt.slice(0, 10)}` : ''}, expires{' '}
              {l.expiresAt.slice(0, 10)}
            </li>
          ))}
      </ul>
      {state !== 'collecting' && state !== 'in_review' ? (
        <p className="help">
          No new link: the acquisition is {state.replace('_', ' ')}, and the customer has nothing
          more to answer.
        </p>
      ) : null}
      <form
        hidden={state !== 'collecting' && state !== 'in_review'}
        onSubmit={(e) => {
          e.preventDefault();
          setError('');
          issueCustomerLink(api, acquisitionId, {
            contactName: name,
            ...(email ? { contactEmail: email } : {}),
            ...(sendEmail && emailAvailable ? { sendEmail: true } : {}),
          })
            .then((l) => {
              setIssued({
                url: `${location.origin}/portal#${l.url.split('#')[1] ?? ''}`,
                contactName: l.contactName,
                emailedTo: l.emailedAt ? email : null,
              });
              setCopied('');
              setName('');
              setEmail('');
              setSendEmail(false);
              return queryClient.invalidateQueries({ queryKey: queryKeys.links(acquisitionId) });
            })
            .catch((err: unknown) => setError(messageOf(err)));
        }}
      >
        <div className="field">
          <label htmlFor="link-contact">Contact's name</label>
          <input
            id="link-contact"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="link-email">Contact's email (optional)</label>
          <input
            id="link-email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required={sendEmail}
          />
        </div>
        <div className={`checkbox${emailAvailable ? '' : ' links__email--off'}`}>
          <input
            id="link-send-email"
            type="checkbox"
            checked={sendEmail && emailAvailable}
            disabled={!emailAvailable}
            aria-describedby="link-send-email-help"
            onChange={(e) => setSendEmail(e.target.checked)}
          />
          <label htmlFor="link-send-email">Send the link to this email address</label>
        </div>
        <p className="help" id="link-send-email-help">
          {emailAvailable
            ? 'The email says who sends it, what to do and until when the link works.'
            : 'Sending by email is not set up on this Intake (INTAKE_SMTP_URL): copy the link and send it yourself.'}
        </p>
        <button type="submit">
          {sendEmail && emailAvailable ? 'Issue and send' : 'Issue a link'}
        </button>
      </form>
      {issued ? (
        <div className="alert issued-link">
          <p role="status">
            {issued.emailedTo
              ? `Sent to ${issued.emailedTo}. The link is also shown here, only now.`
              : 'Send this link to the contact; it is shown only now.'}
          </p>
          <div className="issued-link__body">
            <div className="issued-link__text">
              <label htmlFor="issued-link">Link for the contact</label>
              <input
                id="issued-link"
                className="link-url"
                readOnly
                value={issued.url}
                onFocus={(e) => e.target.select()}
              />
              <button
                type="button"
                onClick={() =>
                  void navigator.clipboard.writeText(issued.url).then(
                    () => setCopied('Copied: paste it into your email or message to the contact.'),
                    () => setCopied('Could not copy; select the link and copy it yourself.'),
                  )
                }
              >
                Copy the link
              </button>
              {copied ? <p role="status">{copied}</p> : null}
            </div>
            <LinkQrCode url={issued.url} contactName={issued.contactName} />
          </div>
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
