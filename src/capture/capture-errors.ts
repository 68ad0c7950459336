import { AppError, errors, type ProblemDetail } from '../errors.js';

/** Errors of the capture engine (codes listed in errors.ts and docs/errors.md). */
export const captureErrors = {
  recordNotFound: (id: string) =>
    new AppError('record.not-found', 404, `There is no record "${id}" in this acquisition.`),
  versionConflict: (id: string, current: number) =>
    new AppError(
      'record.version-conflict',
      412,
      `Record "${id}" was changed by someone else (it is now at version ${current}). Read it again and re-apply your change.`,
      [],
      { currentVersion: current },
    ),
  preconditionRequired: () =>
    new AppError(
      'record.precondition-required',
      428,
      "Send If-Match with the record's ETag, so that no one else's change is overwritten.",
    ),
  invalidChanges: (details: ProblemDetail[]) =>
    new AppError(
      'record.invalid-change',
      400,
      'The change names entities or fields the catalogue does not have; nothing was stored.',
      details,
    ),
  fieldNotYours: (details: ProblemDetail[]) =>
    new AppError(
      'record.field-forbidden',
      403,
      'This link may change only the fields the customer provides.',
      details,
    ),
  valuesTooLong: (details: ProblemDetail[]) =>
    new AppError(
      'record.value-too-long',
      422,
      'Some values are longer than their fields allow; nothing was stored.',
      details,
    ),
  tooManyRecords: (
    excesses: { entity: string; name: string; planned: number; maximum: number; count: number }[],
  ) =>
    new AppError(
      'record.too-many',
      422,
      excesses
        .map((e) =>
          e.maximum === 0
            ? `The proposal has no ${e.name.toLowerCase()} records; this change would make ${e.count}.`
            : `The proposal allows ${e.planned} ${e.name.toLowerCase()} records and Intake keeps at most ${e.maximum} (those above the plan are kept to be sorted out); this change would make ${e.count}.`,
        )
        .join(' ') + ' Nothing was stored.',
      excesses.map((e) => ({
        pointer: '/',
        detail: `${e.entity}: at most ${e.maximum}, would be ${e.count}`,
        code: 'record.too-many',
      })),
      {
        entity: excesses[0]?.entity,
        planned: excesses[0]?.planned,
        maximum: excesses[0]?.maximum,
        count: excesses[0]?.count,
      },
    ),
  locked: errors.acquisitionLocked,
};
