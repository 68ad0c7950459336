import type { Catalog, EntitySpec, FieldSpec, Owner } from '../catalog/model.js';
import type { Question } from './next-questions.js';
import { pluralName } from './record-names.js';

/** Fewer records than this missing the same field are asked one by one. */
export const MATRIX_MINIMUM = 3;

/** One record of a matrix question, named, with its invalid value when it has one. */
export interface MatrixRecord {
  recordId: string;
  recordVersion: number;
  recordName: string;
  currentValue?: unknown;
  problem?: string;
}

/** Where a step of the script is asked: one site and entity ("London HQ · Users"). */
export interface ScriptPlace {
  site: string | null;
  siteName: string | null;
  entity: string;
  entityName: string;
  /** "London HQ · Users". */
  title: string;
}

/** One field asked once for many records of a site and entity: one value for all, and exceptions. */
export interface MatrixStep extends ScriptPlace {
  kind: 'matrix';
  field: string;
  label: string;
  /** "Voicemail for these 50 users at London HQ". */
  question: string;
  /** The catalogue's question for one record. */
  prompt: string;
  /** What the records are, in the plural: "users". */
  noun: string;
  help?: string;
  owner: Owner;
  type: FieldSpec['type'];
  format?: string;
  enum?: (string | number)[];
  records: MatrixRecord[];
}

/** One field of one record. */
export interface SingleStep extends ScriptPlace {
  kind: 'single';
  question: Question;
}

export type ScriptStep = MatrixStep | SingleStep;

/**
 * Whether one answer may sensibly hold for many records: not a field that must differ between
 * records (a unique key, the natural key, a membership, a reference to another record such as a
 * handset's user; a site is the exception) nor personal or secret data.
 */
export function isShareable(entity: EntitySpec, field: FieldSpec): boolean {
  if (field.sensitivity) return false;
  if (field.reference && field.reference !== 'site') return false;
  if (entity.naturalKey?.includes(field.id)) return false;
  return !(entity.rules ?? []).some(
    (r) =>
      (r.kind === 'unique' && r.fields.includes(field.id)) ||
      (r.kind === 'oneMembership' && r.field === field.id),
  );
}

/** The title of a site and entity: "London HQ · Users", or "Voice groups" without a site. */
export function placeTitle(siteName: string | null, entity: Pick<EntitySpec, 'name'>): string {
  const plural = pluralName(entity, 2);
  const entities = plural.charAt(0).toUpperCase() + plural.slice(1);
  return siteName ? `${siteName} · ${entities}` : entities;
}

/**
 * The interview as a call script: the questions (in `nextQuestions`' order) grouped by site and
 * entity; within a group, each field that at least `MATRIX_MINIMUM` records miss and that one
 * answer may hold for (`isShareable`) is asked once for all of them, before the questions asked
 * record by record.
 */
export function callScript(
  catalog: Catalog,
  questions: readonly Question[],
  minimum = MATRIX_MINIMUM,
): ScriptStep[] {
  const places: { place: ScriptPlace; questions: Question[] }[] = [];
  const byKey = new Map<string, { place: ScriptPlace; questions: Question[] }>();
  for (const q of questions) {
    const key = `${q.site ?? ''}\u0000${q.entity}`;
    let group = byKey.get(key);
    if (!group) {
      const entity = catalog.entities.get(q.entity);
      group = {
        place: {
          site: q.site,
          siteName: q.siteName,
          entity: q.entity,
          entityName: q.entityName,
          title: placeTitle(q.siteName, entity ?? { name: q.entityName }),
        },
        questions: [],
      };
      byKey.set(key, group);
      places.push(group);
    }
    group.questions.push(q);
  }
  return places.flatMap(({ place, questions: asked }) => stepsOf(catalog, place, asked, minimum));
}

function stepsOf(
  catalog: Catalog,
  place: ScriptPlace,
  questions: readonly Question[],
  minimum: number,
): ScriptStep[] {
  const entity = catalog.entities.get(place.entity);
  const byField = new Map<string, Question[]>();
  for (const q of questions) {
    const list = byField.get(q.field) ?? [];
    list.push(q);
    byField.set(q.field, list);
  }
  const matrices: MatrixStep[] = [];
  const asMatrix = new Set<string>();
  for (const [fieldId, asked] of byField) {
    const field = entity?.fields.find((f) => f.id === fieldId);
    if (!entity || !field || asked.length < minimum || !isShareable(entity, field)) continue;
    asMatrix.add(fieldId);
    const first = asked[0]!;
    matrices.push({
      kind: 'matrix',
      ...place,
      field: field.id,
      label: field.label,
      question: `${field.label} for these ${asked.length} ${pluralName(entity, asked.length)}${place.siteName ? ` at ${place.siteName}` : ''}`,
      prompt: field.question,
      noun: pluralName(entity, asked.length),
      ...(first.help ? { help: first.help } : {}),
      owner: first.owner,
      type: first.type,
      ...(first.format ? { format: first.format } : {}),
      ...(first.enum ? { enum: first.enum } : {}),
      records: asked.map((q) => ({
        recordId: q.recordId,
        recordVersion: q.recordVersion,
        recordName: q.recordName,
        ...(q.problem ? { currentValue: q.currentValue, problem: q.problem } : {}),
      })),
    });
  }
  const singles: SingleStep[] = questions
    .filter((q) => !asMatrix.has(q.field))
    .map((question) => ({ kind: 'single', ...place, question }));
  return [...matrices, ...singles];
}

/** How many field questions the steps ask (a matrix asks one per record). */
export function questionsIn(steps: readonly ScriptStep[]): number {
  return steps.reduce((n, s) => n + (s.kind === 'matrix' ? s.records.length : 1), 0);
}
