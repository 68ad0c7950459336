import type { FieldSpec } from '../forms/form-model.js';
import { displayValue } from '../forms/form-model.js';
import { textLimitOf } from '../../../src/capture/value-limits.js';
import { plainMessage } from '../forms/plain-language.js';
import {
  countryChoices,
  resolveTimeZone,
  timeZoneChoices,
  toIsoDate,
  type Choice,
} from './pickers.js';
import './field-input.css';
import { focusOnMount } from './focus-on-mount.js';

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
  /** The records a reference may name (sites by name); the value stays the id. */
  choices?: Choice[] | undefined;
  /** For `format: file`: the name of the file given, shown instead of its attachment id. */
  fileName?: string | undefined;
  /** For `format: file`: uploads the file picked (the field's value is then its attachment id). */
  onFile?: ((file: File) => void) | undefined;
  /** For `format: file`, staff only: downloads the file given. */
  onDownload?: (() => void) | undefined;
}

/** The types a file answer may be (the server checks the bytes). */
const FILE_TYPES = 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

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
    ref: props.autoFocus ? focusOnMount : undefined,
    'data-field': field.id,
  } as const;
  const text = displayValue(value);
  const pick = (options: Choice[], empty = '— choose —') => (
    <select
      {...common}
      value={text}
      onChange={(e) => {
        onChange(e.target.value);
        onCommit?.();
      }}
    >
      <option value="">{empty}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
      {text && !options.some((o) => o.value === text) ? <option value={text}>{text}</option> : null}
    </select>
  );
  let control;
  if (field.format === 'file') {
    control = (
      <div className="file-answer">
        <p className="file-answer__name" id={`${id}-file`}>
          {props.fileName ?? (text ? 'A file was given' : 'No file yet')}
        </p>
        {text && props.onDownload ? (
          // A link, not a button: a read-only form (its fieldset disabled) still lets staff download.
          <a
            href="#download"
            onClick={(e) => {
              e.preventDefault();
              props.onDownload?.();
            }}
          >
            Download {props.fileName ?? 'the file'}
          </a>
        ) : null}
        <input
          {...common}
          aria-describedby={[`${id}-file`, described].filter(Boolean).join(' ')}
          type="file"
          accept={FILE_TYPES}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) props.onFile?.(file);
            e.target.value = '';
          }}
        />
      </div>
    );
  } else if (field.format === 'country') {
    control = pick(countryChoices(), '— choose a country —');
  } else if (props.choices) {
    control = pick(props.choices);
  } else if (field.format === 'time-zone') {
    control = (
      <>
        <input
          {...common}
          type="text"
          list={`${id}-zones`}
          autoComplete="off"
          placeholder="City or UTC offset, e.g. London or UTC+01:00"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onBlur={(e) => {
            const zone = resolveTimeZone(e.target.value);
            if (zone !== e.target.value) onChange(zone);
            onCommit?.();
          }}
        />
        <datalist id={`${id}-zones`}>
          {timeZoneChoices().map((z) => (
            <option key={z.value} value={z.value} label={z.label} />
          ))}
        </datalist>
      </>
    );
  } else if (field.format === 'date' && (text === '' || ISO_DATE.test(text))) {
    // The browser's own date picker, in the reader's local format; its value is YYYY-MM-DD.
    control = (
      <input
        {...common}
        type="date"
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => onCommit?.()}
      />
    );
  } else if (field.format === 'date') {
    control = (
      <input
        {...common}
        type="text"
        placeholder="For example 28/11/2026"
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={(e) => {
          const iso = toIsoDate(e.target.value);
          if (iso !== e.target.value) onChange(iso);
          onCommit?.();
        }}
      />
    );
  } else if (field.type === 'boolean' || field.enum) {
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
          {plainMessage(error ?? warning ?? '')}
        </p>
      ) : null}
    </div>
  );
}
