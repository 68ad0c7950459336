import { useState, type ReactNode } from 'react';
import type { MatrixStep } from '../../../src/interview/schemas.js';
import { FieldInput } from '../components/FieldInput.js';
import type { FieldSpec } from '../forms/form-model.js';
import { submitOnEnter, YesNo } from './YesNo.js';

/** What a matrix answer sends: the value for all and each exception's own value. */
export interface MatrixValues {
  value: unknown;
  exceptions: Map<string, unknown>;
}

export interface MatrixQuestionProps {
  step: MatrixStep;
  readOnly: boolean;
  error: string;
  onSave: (values: MatrixValues) => void;
  /** More of the form after the records (the note). */
  children?: ReactNode;
  /** More buttons beside "Save" (skip). */
  buttons?: ReactNode;
}

const fieldOf = (step: MatrixStep, label: string): FieldSpec => ({
  id: step.field,
  label,
  type: step.type,
  owner: step.owner,
  question: step.prompt,
  ...(step.format ? { format: step.format as FieldSpec['format'] } : {}),
  ...(step.enum ? { enum: step.enum } : {}),
});

/**
 * One field for many records: a value for all ("all yes / all no" for a yes/no field), then the
 * records that differ ticked, each with its own value (the opposite, for yes/no). Enter saves.
 */
export function MatrixQuestion({
  step,
  readOnly,
  error,
  onSave,
  children,
  buttons,
}: MatrixQuestionProps) {
  const boolean = step.type === 'boolean';
  const [all, setAll] = useState('');
  const [ticked, setTicked] = useState<Map<string, string>>(new Map());
  const noun = step.noun;
  const opposite = all === 'yes' ? 'no' : 'yes';

  const toggle = (recordId: string, on: boolean) =>
    setTicked((t) => {
      const next = new Map(t);
      if (on) next.set(recordId, '');
      else next.delete(recordId);
      return next;
    });

  return (
    <form
      className="question matrix"
      onKeyDown={submitOnEnter}
      onSubmit={(e) => {
        e.preventDefault();
        const asBoolean = (v: string) => v === 'yes';
        onSave({
          value: boolean ? asBoolean(all) : all,
          exceptions: new Map(
            [...ticked].map(([id, v]) => [id, boolean ? asBoolean(opposite) : v] as const),
          ),
        });
      }}
    >
      <p className="question__where">{step.title}</p>
      <h3 className="question__text" id="question-text">
        {step.question}
      </h3>
      <p className="matrix__prompt">{step.prompt}</p>
      {step.help ? <p className="help">{step.help}</p> : null}
      {boolean ? (
        <YesNo
          id="answer"
          legend={`For all ${step.records.length} ${noun}`}
          value={all}
          yes="All yes"
          no="All no"
          autoFocus
          error={error || undefined}
          onChange={setAll}
        />
      ) : (
        <FieldInput
          id="answer"
          field={fieldOf(step, `Same answer for all ${step.records.length} ${noun}`)}
          value={all}
          required
          hideHelp
          autoFocus
          error={error || undefined}
          onChange={setAll}
        />
      )}
      <fieldset className="matrix__exceptions">
        <legend>
          Exceptions: tick the {noun} who differ
          {boolean && all ? ` (they get “${opposite}”)` : ''}
        </legend>
        <ul className="matrix__records">
          {step.records.map((r) => {
            const checkbox = `except-${r.recordId}`;
            const own = ticked.get(r.recordId);
            return (
              <li key={r.recordId} className="matrix__record">
                <div className="checkbox">
                  <input
                    id={checkbox}
                    type="checkbox"
                    checked={own !== undefined}
                    onChange={(e) => toggle(r.recordId, e.target.checked)}
                  />
                  <label htmlFor={checkbox}>
                    {r.recordName}
                    {r.problem ? <span className="matrix__problem"> — {r.problem}</span> : null}
                  </label>
                </div>
                {own !== undefined && !boolean ? (
                  <FieldInput
                    id={`own-${r.recordId}`}
                    field={fieldOf(step, `${step.label} for ${r.recordName}`)}
                    value={own}
                    required
                    hideHelp
                    onChange={(v) => setTicked((t) => new Map(t).set(r.recordId, v))}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      </fieldset>
      {children}
      <div className="actions">
        <button type="submit" className="primary" disabled={readOnly}>
          Save for all {step.records.length}
        </button>
        {buttons}
      </div>
    </form>
  );
}
