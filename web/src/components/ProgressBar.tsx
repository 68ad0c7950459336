/** A labelled progress bar (0–1) with its percentage, to a tenth, as text. */
export function ProgressBar({
  value,
  label,
  detail,
}: {
  value: number;
  label: string;
  /** Shown after the percentage, e.g. "312 of 968 answers". */
  detail?: string;
}) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10;
  return (
    <div className="progress">
      <div
        className="progress__bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%${detail ? `, ${detail}` : ''}`}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__text">
        {percent}%{detail ? <span className="progress__detail"> · {detail}</span> : null}
      </span>
    </div>
  );
}
