import type { ProblemDetail } from '../api.js';

/** A refusal with its reasons, shown where it happened and announced at once. */
export function ErrorList({
  title,
  details,
  onSelect,
}: {
  title: string;
  details: ProblemDetail[];
  onSelect?: (pointer: string) => void;
}) {
  return (
    <div className="alert alert--error" role="alert">
      <p>
        <strong>{title}</strong>
      </p>
      {details.length > 0 ? (
        <ul>
          {details.map((d) => (
            <li key={`${d.pointer}-${d.detail}`}>
              {onSelect && /^\/(records|groups)\//.test(d.pointer) ? (
                <button type="button" className="link" onClick={() => onSelect(d.pointer)}>
                  {d.detail}
                </button>
              ) : (
                d.detail
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
