import { useEffect, useState } from 'react';
import { messageOf } from '../api.js';
import { useSignedIn } from '../session.js';

interface CustomerLink {
  id: string;
  contactName: string;
  expiresAt: string;
  revokedAt: string | null;
  submittedAt: string | null;
  url?: string;
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
  const [links, setLinks] = useState<CustomerLink[]>([]);
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const [copied, setCopied] = useState('');
  const [error, setError] = useState('');
  const load = () =>
    api
      .get<{ items: CustomerLink[] }>(`/acquisitions/${acquisitionId}/links`)
      .then((l) => setLinks(l.items))
      .catch((e: unknown) => setError(messageOf(e)));
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [acquisitionId]);
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
              , expires {l.expiresAt.slice(0, 10)}
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
          api
            .send<CustomerLink>('POST', `/acquisitions/${acquisitionId}/links`, {
              contactName: name,
            })
            .then((l) => {
              setIssued(`${location.origin}/portal#${l.url?.split('#')[1] ?? ''}`);
              setCopied('');
              setName('');
              return load();
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
        <button type="submit">Issue a link</button>
      </form>
      {issued ? (
        <div className="alert issued-link">
          <p role="status">Send this link to the contact; it is shown only now.</p>
          <label htmlFor="issued-link">Link for the contact</label>
          <input
            id="issued-link"
            className="link-url"
            readOnly
            value={issued}
            onFocus={(e) => e.target.select()}
          />
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard.writeText(issued).then(
                () => setCopied('Copied: paste it into your email or message to the contact.'),
                () => setCopied('Could not copy; select the link and copy it yourself.'),
              )
            }
          >
            Copy the link
          </button>
          {copied ? <p role="status">{copied}</p> : null}
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
