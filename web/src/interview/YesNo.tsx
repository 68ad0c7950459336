import type { KeyboardEvent } from 'react';
import { focusOnMount } from '../components/focus-on-mount.js';

/** A yes/no answer as two radio buttons in a fieldset; Enter in the form saves it. */
export function YesNo({
  id,
  legend,
  value,
  onChange,
  autoFocus,
  error,
  yes = 'Yes',
  no = 'No',
}: {
  id: string;
  legend: string;
  value: string;
  onChange: (value: 'yes' | 'no') => void;
  autoFocus?: boolean;
  error?: string | undefined;
  yes?: string;
  no?: string;
}) {
  const errorId = `${id}-error`;
  return (
    <fieldset
      className="yes-no"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? errorId : undefined}
    >
      <legend>{legend}</legend>
      {(
        [
          ['yes', yes],
          ['no', no],
        ] as const
      ).map(([choice, label], i) => (
        <div key={choice} className="radio">
          <input
            id={i === 0 ? id : `${id}-${choice}`}
            type="radio"
            name={id}
            value={choice}
            checked={value === choice}
            ref={autoFocus && i === 0 ? focusOnMount : undefined}
            onChange={() => onChange(choice)}
          />
          <label htmlFor={i === 0 ? id : `${id}-${choice}`}>{label}</label>
        </div>
      ))}
      {error ? (
        <p className="error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * Enter saves from any control of an answer form: text inputs submit by themselves, but a radio
 * button, a checkbox or a select does not, so the form asks for it (a textarea keeps its newline).
 */
export function submitOnEnter(e: KeyboardEvent<HTMLFormElement>): void {
  if (e.key !== 'Enter' || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const target = e.target as HTMLElement;
  const kind = target instanceof HTMLInputElement ? target.type : target.tagName.toLowerCase();
  if (kind === 'radio' || kind === 'checkbox' || kind === 'select') {
    e.preventDefault();
    e.currentTarget.requestSubmit();
  }
}
