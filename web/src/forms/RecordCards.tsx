import { useEffect, useMemo, useState } from 'react';
import type { Api, ApiRecord } from '../api.js';
import type { FormEntity, FormModel } from './form-model.js';
import { missingOf, recordTitle } from './plain-language.js';
import { RecordForm } from './RecordForm.js';
import './record-cards.css';

/** Cards drawn at first, and added each time "show more" is tapped. */
const PAGE = 50;

export interface RecordCardsProps {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  records: ApiRecord[];
  onSaved: (record: ApiRecord) => void;
  readOnly?: boolean | undefined;
  focus?: { recordId: string; field: string } | undefined;
}

/**
 * The records of an entity on a narrow screen: one card per record with its name and what it
 * still needs; a tap opens that record's form under its card (one at a time). No grid, no
 * keyboard shortcuts: what a phone needs is to find a person or a site and fill it in.
 */
export function RecordCards({
  api,
  model,
  entity,
  records,
  onSaved,
  readOnly,
  focus,
}: RecordCardsProps) {
  // For bench:ui: the frame after the cards are first drawn.
  useEffect(() => {
    requestAnimationFrame(() => performance.mark('intake:record-cards'));
  }, []);
  const [openId, setOpenId] = useState<string | null>(null);
  const [onlyMissing, setOnlyMissing] = useState(false);
  const [shown, setShown] = useState(PAGE);

  useEffect(() => {
    if (focus) setOpenId(focus.recordId);
  }, [focus]);

  const cards = useMemo(
    () =>
      records.map((record, index) => ({
        record,
        title: recordTitle(entity, record, model, index, records.length),
        missing: missingOf(entity, record, model),
      })),
    [records, entity, model],
  );
  const listed = onlyMissing ? cards.filter((c) => c.missing > 0 || c.record.id === openId) : cards;
  const owing = cards.filter((c) => c.missing > 0).length;

  return (
    <div className="record-cards">
      {cards.length > 5 ? (
        <label className="record-cards__filter">
          <input
            type="checkbox"
            checked={onlyMissing}
            onChange={(e) => setOnlyMissing(e.target.checked)}
          />{' '}
          Only those with answers to give ({owing} of {cards.length})
        </label>
      ) : null}
      <ul aria-label={`${entity.name} records`}>
        {listed.slice(0, shown).map(({ record, title, missing }) => {
          const open = openId === record.id;
          const site = record.site ? model.siteName(record.site) : '';
          return (
            <li key={record.id} className={`record-card-item${open ? ' is-open' : ''}`}>
              <button
                type="button"
                className="record-card-item__toggle"
                aria-expanded={open}
                aria-controls={`card-${record.id}`}
                onClick={() => setOpenId(open ? null : record.id)}
              >
                <span className="record-card-item__title">{title}</span>
                {site && !title.includes(site) ? (
                  <span className="record-card-item__site">{site}</span>
                ) : null}
                <span
                  className={`record-card-item__state${missing ? ' is-missing' : ''}`}
                  data-missing={missing}
                >
                  {missing ? `${missing} answer${missing === 1 ? '' : 's'} to give` : 'Complete'}
                </span>
              </button>
              {open ? (
                <div id={`card-${record.id}`} className="record-card-item__form">
                  <RecordForm
                    api={api}
                    model={model}
                    entity={entity}
                    record={record}
                    readOnly={readOnly}
                    focusField={focus?.recordId === record.id ? focus.field : undefined}
                    onSaved={onSaved}
                  />
                  <button type="button" onClick={() => setOpenId(null)}>
                    Done with {title}
                  </button>
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      {listed.length > shown ? (
        <button type="button" onClick={() => setShown(shown + PAGE)}>
          Show {Math.min(PAGE, listed.length - shown)} more
        </button>
      ) : null}
    </div>
  );
}
