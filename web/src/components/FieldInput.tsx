import type { FieldSpec } from '../forms/form-model.js';
import { displayValue } from '../forms/form-model.js';
import { textLimitOf } from '../../../src/capture/value-limits.js';

export interface FieldInputProps {
  id: string;
  field: FieldSpec;
  value: unknown;
  required: boolean;
  /** The problem to show under the field: the browser's check or the server's finding. */
  error?: string | undefined;
  warning?: string | undefined;
  onChange: (value: string) => void;
  onCommit?: () => void;
  autoFocus?: boolean;
  /** Hide the help text (the interview shows it above). */
  hideHelp?: boolean;
}

const inputModes: Partial<Record<string, 'tel' | 'email' | 'numeric'>> = {
  e164: 'tel',
  email: 'email',
  extension: 'numeric',
  imei: 'numeric',
  iccid: 'numeric',
};

/** One field with its label, help and problem, wired for screen readers. */
export function FieldInput(props: FieldInputProps) {
  const { id, field, value, required, error, warning, onChange, onCommit } = props;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const described =
    [field.help && !props.hideHelp ? helpId : '', error || warning ? errorId : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const common = {
    id,
    name: field.id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    'aria-required': required || undefined,
    autoFocus: props.autoFocus,
    'data-field': field.id,
  } as const;
  const text = displayValue(value);
  let control;
  if (field.type === 'boolean' || field.enum) {
    const options =
      field.type === 'boolean' ? ['yes', 'no'] : (field.enum ?? []).map((o) => String(o));
    control = (
      <select
        {...common}
        value={options.find((o) => o.toLowerCase() === text.toLowerCase()) ?? text}
        onChange={(e) => {
          onChange(e.target.value);
          onCommit?.();
        }}
      >
        <option value="">— choose —</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        {text && !options.some((o) => o.toLowerCase() === text.toLowerCase()) ? (
          <option value={text}>{text}</option>
        ) : null}
      </select>
    );
  } else {
    control = (
      <input
        {...common}
        type={field.sensitivity === 'secret' ? 'password' : 'text'}
        inputMode={
          field.type === 'integer' || field.type === 'number'
            ? 'numeric'
            : field.format
              ? inputModes[field.format]
              : undefined
        }
        autoComplete="off"
        // The server refuses a longer value (an array's limit is per item, so it gets none here).
        maxLength={field.type === 'array' ? undefined : textLimitOf(field)}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => onCommit?.()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit?.();
        }}
      />
    );
  }
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>
        {field.label}
        {required ? (
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
        {required ? <span className="visually-hidden"> (required)</span> : null}
      </label>
      {field.help && !props.hideHelp ? (
        <p className="help" id={helpId}>
          {field.help}
        </p>
      ) : null}
      {control}
      {error || warning ? (
        <p className={error ? 'error' : 'warning'} id={errorId}>
          {error ?? warning}
        </p>
      ) : null}
    </div>
  );
}
