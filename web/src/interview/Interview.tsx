import { useCallback, useEffect, useState } from 'react';
import type { Question } from '../../../src/interview/next-questions.js';
import { messageOf, type Api, type Finding } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { FieldInput } from '../components/FieldInput.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { displayValue, type FieldSpec } from '../forms/form-model.js';

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

/**
 * The guided interview: one question at a time from the interview API, with its help, the
 * field's input, a note, and "the customer will follow up" with a date. Keyboard-first: the
 * answer has the focus, Enter saves, Alt+K skips, Alt+F opens the follow-up.
 */
export function Interview({ api, acquisitionId, readOnly, onAnswered }: InterviewProps) {
  const announce = useAnnounce();
  const [question, setQuestion] = useState<Question | null>(null);
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

  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      try {
        const page = await api.get<{ total: number; questions: Question[] }>(
          `/acquisitions/${acquisitionId}/interview?limit=1&offset=${offset}`,
        );
        const next = page.questions[0] ?? null;
        setQuestion(next);
        setRemaining(page.total);
        setValue(displayValue(next?.currentValue));
        setNote('');
        setFollowUp(false);
        setError(next?.problem ? `The value given ${next.problem}` : '');
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

  const answer = async () => {
    if (!question) return;
    setError('');
    try {
      const body = followUp
        ? {
            recordId: question.recordId,
            field: question.field,
            followUp: { dueDate, contact },
            ...(note ? { note } : {}),
          }
        : { recordId: question.recordId, field: question.field, value, ...(note ? { note } : {}) };
      const result = await api.send<{ findings?: Finding[] }>(
        'POST',
        `/acquisitions/${acquisitionId}/interview/answers`,
        body,
      );
      const problem = result.findings?.find(
        (f) =>
          f.recordId === question.recordId &&
          f.field === question.field &&
          f.severity === 'blocking',
      );
      if (problem) {
        setError(problem.message);
        announce(`Not accepted: ${problem.message}`, true);
        return;
      }
      // The count moves with the next question on screen, never ahead of it.
      await Promise.all([onAnswered(), load(skipped)]);
      setDone((d) => d + 1);
      announce(followUp ? 'Follow-up recorded.' : 'Answer saved.');
    } catch (e) {
      setError(messageOf(e));
      announce(messageOf(e), true);
    }
  };

  const skip = () => {
    const next = skipped + 1;
    setSkipped(next);
    void load(next);
  };

  if (loading && !question) return <p aria-busy="true">Loading the interview…</p>;
  if (!question)
    return (
      <section aria-labelledby="interview-heading">
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
      </section>
    );
  const total = done + remaining;
  const where = [question.entityName, question.siteName].filter(Boolean).join(' · ');
  return (
    <section
      aria-labelledby="interview-heading"
      className="interview"
      onKeyDown={(e) => {
        if (e.altKey && e.key.toLowerCase() === 'k') {
          e.preventDefault();
          skip();
        } else if (e.altKey && e.key.toLowerCase() === 'f') {
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
      <form
        className="question"
        onSubmit={(e) => {
          e.preventDefault();
          void answer();
        }}
      >
        <p className="question__where">{where}</p>
        <h3 className="question__text" id="question-text">
          {question.question}
        </h3>
        {question.help ? <p className="help">{question.help}</p> : null}
        {!followUp ? (
          <FieldInput
            key={`${question.recordId}/${question.field}`}
            id="answer"
            field={fieldOf(question)}
            value={value}
            required
            hideHelp
            autoFocus
            error={error || undefined}
            onChange={setValue}
          />
        ) : (
          <fieldset className="follow-up">
            <legend>The customer will follow up</legend>
            <div className="field">
              <label htmlFor="due">By when</label>
              <input
                id="due"
                type="date"
                required
                value={dueDate}
                autoFocus
                onChange={(e) => setDueDate(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="contact">Who will answer</label>
              <input
                id="contact"
                required
                value={contact}
                onChange={(e) => setContact(e.target.value)}
              />
            </div>
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="note">Note (optional)</label>
          <textarea id="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {followUp && error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={readOnly}>
            {followUp ? 'Record the follow-up' : 'Save answer'}
          </button>
          <button type="button" onClick={skip}>
            Skip <kbd>Alt+K</kbd>
          </button>
          <button type="button" aria-pressed={followUp} onClick={() => setFollowUp((f) => !f)}>
            Customer will follow up <kbd>Alt+F</kbd>
          </button>
        </div>
      </form>
    </section>
  );
}
