import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type {
  InterviewCall,
  InterviewQuestion as Question,
  MatrixStep,
  ScriptStep,
} from '../../../src/interview/schemas.js';
import { messageOf, type Api, type Finding } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { FieldInput } from '../components/FieldInput.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { displayValue, type FieldSpec } from '../forms/form-model.js';
import { getInterviewScript } from '../endpoints.js';
import { CallPanel } from './CallPanel.js';
import { MatrixQuestion, type MatrixValues } from './MatrixQuestion.js';
import { submitOnEnter, YesNo } from './YesNo.js';
import './interview.css';
import { focusOnMount } from '../components/focus-on-mount.js';

export interface InterviewProps {
  api: Api;
  acquisitionId: string;
  readOnly: boolean;
  onAnswered: () => Promise<void>;
}

const fieldOf = (q: Question): FieldSpec => ({
  id: q.field,
  label: q.label,
  type: q.type,
  owner: q.owner,
  question: q.question,
  ...(q.format ? { format: q.format as FieldSpec['format'] } : {}),
  ...(q.enum ? { enum: q.enum } : {}),
  ...(q.help ? { help: q.help } : {}),
});

/** A yes/no value as the radio buttons hold it. */
const yesNo = (v: unknown) => (v === true ? 'yes' : v === false ? 'no' : displayValue(v));

/**
 * The guided interview as a call script: steps by site and entity from the interview API; a field
 * many records of a site miss is asked once (MatrixQuestion), others one record at a time, named.
 * Answers given during a call (CallPanel) carry it. Keyboard-first: the answer has the focus,
 * Enter saves (text, select, yes/no), Alt+K skips, Alt+F opens the follow-up.
 */
export function Interview({ api, acquisitionId, readOnly, onAnswered }: InterviewProps) {
  const announce = useAnnounce();
  const [step, setStep] = useState<ScriptStep | null>(null);
  const [remaining, setRemaining] = useState(0);
  const [done, setDone] = useState(0);
  const [skipped, setSkipped] = useState(0);
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [followUp, setFollowUp] = useState(false);
  const [dueDate, setDueDate] = useState('');
  const [contact, setContact] = useState('');
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [call, setCall] = useState<InterviewCall | null>(null);

  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      try {
        const page = await getInterviewScript(api, acquisitionId, offset);
        const next = page.steps[0] ?? null;
        setStep(next);
        setRemaining(page.questions);
        const single = next?.kind === 'single' ? next.question : null;
        setValue(
          single?.type === 'boolean'
            ? yesNo(single.currentValue)
            : displayValue(single?.currentValue),
        );
        setNote('');
        setFollowUp(false);
        setError(single?.problem ? `The value given ${single.problem}` : '');
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setLoading(false);
      }
    },
    [api, acquisitionId],
  );

  useEffect(() => {
    void load(0);
  }, [load]);
  // Each new step, and a call just started, put the focus on the answer, however the last
  // control left (Enter, Skip, the call's form replaced by its notes).
  const callId = call?.id;
  useEffect(() => {
    if (step) document.getElementById('answer')?.focus();
  }, [step, callId]);

  const withCall = <T extends object>(body: T) =>
    ({ ...body, ...(note ? { note } : {}), ...(call ? { callId: call.id } : {}) }) as T;

  /** Posts an answer; a blocking finding on it stays on screen, else the next step comes. */
  const submit = async (
    path: string,
    body: object,
    blocking: (f: Finding) => boolean,
    count: number,
    said: string,
  ) => {
    setError('');
    try {
      const result = await api.send<{ findings?: Finding[] }>(
        'POST',
        `/acquisitions/${acquisitionId}/interview/${path}`,
        body,
      );
      const problem = result.findings?.find((f) => f.severity === 'blocking' && blocking(f));
      if (problem) {
        setError(problem.message);
        announce(`Not accepted: ${problem.message}`, true);
        return;
      }
      // The count moves with the next question on screen, never ahead of it.
      await Promise.all([onAnswered(), load(skipped)]);
      setDone((d) => d + count);
      announce(said);
    } catch (e) {
      setError(messageOf(e));
      announce(messageOf(e), true);
    }
  };

  const answer = async (question: Question) => {
    const body = followUp
      ? withCall({
          recordId: question.recordId,
          field: question.field,
          followUp: { dueDate, contact },
        })
      : withCall({ recordId: question.recordId, field: question.field, value });
    await submit(
      'answers',
      body,
      (f) => f.recordId === question.recordId && f.field === question.field,
      1,
      followUp ? 'Follow-up recorded.' : 'Answer saved.',
    );
  };

  const answerMatrix = async (matrix: MatrixStep, values: MatrixValues) => {
    const missing = values.value === '' && values.exceptions.size < matrix.records.length;
    if (missing) {
      setError(
        matrix.type === 'boolean' ? 'Choose all yes or all no.' : 'Give the answer for all.',
      );
      return;
    }
    const ids = new Set(matrix.records.map((r) => r.recordId));
    await submit(
      'matrix-answers',
      withCall({
        field: matrix.field,
        ...(values.value === '' ? {} : { value: values.value }),
        records: matrix.records.map((r) => ({
          recordId: r.recordId,
          version: r.recordVersion,
          ...(values.exceptions.has(r.recordId)
            ? { value: values.exceptions.get(r.recordId) }
            : {}),
        })),
      }),
      (f) => ids.has(f.recordId) && f.field === matrix.field,
      matrix.records.length,
      `Saved for ${matrix.records.length} ${matrix.noun}.`,
    );
  };

  const skip = () => {
    const next = skipped + 1;
    setSkipped(next);
    void load(next);
  };

  const calls = (
    <CallPanel api={api} acquisitionId={acquisitionId} readOnly={readOnly} onCall={setCall} />
  );
  if (loading && !step) return <p aria-busy="true">Loading the interview…</p>;
  if (!step)
    return (
      <section aria-labelledby="interview-heading" className="interview">
        <h2 id="interview-heading">Interview</h2>
        <p role="status">
          {skipped > 0
            ? `No more questions after the ${skipped} skipped. `
            : 'Every required answer is in, or waiting on a follow-up. '}
          {done > 0 ? `${done} answered in this session.` : ''}
        </p>
        {skipped > 0 ? (
          <button
            type="button"
            onClick={() => {
              setSkipped(0);
              void load(0);
            }}
          >
            Back to the skipped questions
          </button>
        ) : null}
        {calls}
      </section>
    );
  const total = done + remaining;
  const noteField = (
    <div className="field">
      <label htmlFor="note">Note (optional)</label>
      <textarea id="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
    </div>
  );
  const skipButton = (
    <button type="button" onClick={skip}>
      Skip <kbd>Alt+K</kbd>
    </button>
  );
  return (
    <section
      aria-labelledby="interview-heading"
      className="interview"
      onKeyDown={(e) => {
        if (e.altKey && e.key.toLowerCase() === 'k') {
          e.preventDefault();
          skip();
        } else if (e.altKey && e.key.toLowerCase() === 'f' && step.kind === 'single') {
          e.preventDefault();
          setFollowUp((f) => !f);
        }
      }}
    >
      <h2 id="interview-heading">Interview</h2>
      <ProgressBar
        value={total === 0 ? 1 : done / total}
        label="Progress through the interview"
        detail={`${done} answered, ${remaining} to go`}
      />
      {calls}
      {step.kind === 'matrix' ? (
        <MatrixQuestion
          key={`${step.site ?? ''}/${step.entity}/${step.field}`}
          step={step}
          readOnly={readOnly}
          error={error}
          onSave={(values) => void answerMatrix(step, values)}
          buttons={skipButton}
        >
          {noteField}
        </MatrixQuestion>
      ) : (
        <SingleQuestion
          question={step.question}
          title={step.title}
          value={value}
          setValue={setValue}
          followUp={followUp}
          setFollowUp={setFollowUp}
          dueDate={dueDate}
          setDueDate={setDueDate}
          contact={contact}
          setContact={setContact}
          error={error}
          readOnly={readOnly}
          onSave={() => void answer(step.question)}
          note={noteField}
          skip={skipButton}
        />
      )}
    </section>
  );
}

interface SingleQuestionProps {
  question: Question;
  title: string;
  value: string;
  setValue: (v: string) => void;
  followUp: boolean;
  setFollowUp: (f: (was: boolean) => boolean) => void;
  dueDate: string;
  setDueDate: (v: string) => void;
  contact: string;
  setContact: (v: string) => void;
  error: string;
  readOnly: boolean;
  onSave: () => void;
  note: ReactNode;
  skip: ReactNode;
}

/** One field of one record, named: "Leeds HQ · Users · Priya Raman (ext. 2001)". */
function SingleQuestion(props: SingleQuestionProps) {
  const { question, value, setValue, followUp, error } = props;
  const key = `${question.recordId}/${question.field}`;
  return (
    <form
      className="question"
      onKeyDown={submitOnEnter}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      <p className="question__where">
        {props.title}
        {question.entity === 'site' ? null : (
          <>
            {' · '}
            <strong className="question__record">{question.recordName}</strong>
          </>
        )}
      </p>
      <h3 className="question__text" id="question-text">
        {question.question}
      </h3>
      {question.help ? <p className="help">{question.help}</p> : null}
      {followUp ? (
        <fieldset className="follow-up">
          <legend>The customer will follow up</legend>
          <div className="field">
            <label htmlFor="due">By when</label>
            <input
              id="due"
              type="date"
              required
              value={props.dueDate}
              ref={focusOnMount}
              onChange={(e) => props.setDueDate(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="contact">Who will answer</label>
            <input
              id="contact"
              required
              value={props.contact}
              onChange={(e) => props.setContact(e.target.value)}
            />
          </div>
        </fieldset>
      ) : question.type === 'boolean' ? (
        <YesNo
          key={key}
          id="answer"
          legend={`${question.label} for ${question.recordName}`}
          value={value}
          autoFocus
          error={error || undefined}
          onChange={setValue}
        />
      ) : (
        <FieldInput
          key={key}
          id="answer"
          field={fieldOf(question)}
          value={value}
          required
          hideHelp
          autoFocus
          error={error || undefined}
          onChange={setValue}
        />
      )}
      {props.note}
      {followUp && error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.readOnly}>
          {followUp ? 'Record the follow-up' : 'Save answer'}
        </button>
        {props.skip}
        <button type="button" aria-pressed={followUp} onClick={() => props.setFollowUp((f) => !f)}>
          Customer will follow up <kbd>Alt+F</kbd>
        </button>
      </div>
    </form>
  );
}
