import { pointerOf } from '../schema/ajv.js';
import type { CatalogFile, Condition, EntitySpec, FieldSpec, Need, RowGroupSpec } from './model.js';

/** A problem in a catalogue file, located by file name and JSON pointer. */
export interface CatalogIssue {
  file: string;
  pointer: string;
  message: string;
}

interface Located {
  file: string;
  index: number;
  spec: CatalogFile;
}

const SUBJECTS = ['field', 'characteristic', 'feature', 'all', 'any', 'not'] as const;
const COMPARATORS = ['equals', 'in', 'present'] as const;

/**
 * Checks what a schema cannot: that every id a file mentions exists, across all files.
 * Files are given with the names they were loaded from; the result lists every issue found.
 */
export function checkCatalog(files: { file: string; spec: CatalogFile }[]): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const report = (file: string, pointer: string, message: string) =>
    issues.push({ file, pointer, message });

  const fileIds = new Map<string, string>();
  const entities = new Map<string, { file: string; index: number; entity: EntitySpec }>();
  for (const { file, spec } of files) {
    const other = fileIds.get(spec.id);
    if (other) report(file, '/id', `duplicates the id "${spec.id}" of ${other}`);
    else fileIds.set(spec.id, file);
    if (spec.kind === 'shared') {
      for (const key of ['needs', 'characteristics', 'features'] as const) {
        if (spec[key]) report(file, `/${key}`, 'belongs only in a product file (kind: product)');
      }
    }
    (spec.entities ?? []).forEach((entity, index) => {
      const seen = entities.get(entity.id);
      if (seen) {
        report(
          file,
          pointerOf('entities', index, 'id'),
          `duplicates entity "${entity.id}" of ${seen.file}`,
        );
      } else entities.set(entity.id, { file, index, entity });
    });
  }

  // Which products need each entity: their characteristics and features are what its conditions may use.
  const neededBy = new Map<string, Located[]>();
  files.forEach(({ file, spec }, index) => {
    for (const need of spec.needs ?? []) {
      const list = neededBy.get(need.entity) ?? [];
      list.push({ file, index, spec });
      neededBy.set(need.entity, list);
    }
  });

  const rowGroups = new Map<string, string>();
  for (const { file, spec } of files) {
    checkProduct(file, spec, entities, report);
    (spec.rowGroups ?? []).forEach((group, i) => {
      const seen = rowGroups.get(group.id) ?? (entities.has(group.id) ? 'an entity' : undefined);
      if (seen) report(file, pointerOf('rowGroups', i, 'id'), `duplicates the id of ${seen}`);
      else rowGroups.set(group.id, file);
      checkRowGroup(file, pointerOf('rowGroups', i), group, entities, report);
    });
  }
  for (const { file, index, entity } of entities.values()) {
    const products = (neededBy.get(entity.id) ?? []).map((l) => l.spec);
    checkEntity(file, pointerOf('entities', index), entity, products, entities, report);
  }
  return issues;
}

type Report = (file: string, pointer: string, message: string) => void;
type EntityIndex = Map<string, { file: string; entity: EntitySpec }>;

/** A row group names entities that exist, and links between fields of its own entities. */
function checkRowGroup(
  file: string,
  at: string,
  group: RowGroupSpec,
  entities: EntityIndex,
  report: Report,
): void {
  group.entities.forEach((id, i) => {
    if (!entities.has(id)) report(file, `${at}/entities/${i}`, `names unknown entity "${id}"`);
  });
  const fieldOf = (qualified: string) => {
    const [entity, field] = qualified.split('.') as [string, string];
    if (!group.entities.includes(entity)) return `"${entity}" is not an entity of this row group`;
    const spec = entities.get(entity)?.entity;
    if (spec && !spec.fields.some((f) => f.id === field))
      return `${entity} has no field "${field}"`;
    return undefined;
  };
  const targets = new Set<string>();
  (group.links ?? []).forEach((link, i) => {
    for (const key of ['field', 'from'] as const) {
      const problem = fieldOf(link[key]);
      if (problem) report(file, `${at}/links/${i}/${key}`, problem);
    }
    if (link.field.split('.')[0] === link.from.split('.')[0])
      report(file, `${at}/links/${i}`, 'links two fields of the same entity');
    if (targets.has(link.field))
      report(file, `${at}/links/${i}/field`, `${link.field} is already linked`);
    targets.add(link.field);
  });
}

function checkProduct(file: string, spec: CatalogFile, entities: EntityIndex, report: Report) {
  const characteristics = new Set<string>();
  (spec.characteristics ?? []).forEach((c, i) => {
    if (characteristics.has(c.name)) {
      report(
        file,
        pointerOf('characteristics', i, 'name'),
        `duplicates characteristic "${c.name}"`,
      );
    }
    characteristics.add(c.name);
  });
  (spec.needs ?? []).forEach((need: Need, i) => {
    const at = pointerOf('needs', i);
    const target = entities.get(need.entity);
    if (!target) {
      report(
        file,
        `${at}/entity`,
        `names entity "${need.entity}", which no catalogue file defines`,
      );
    }
    const card = need.cardinality;
    if (card.kind === 'fromCharacteristic') {
      const c = spec.characteristics?.find((x) => x.name === card.characteristic);
      if (!c) {
        report(
          file,
          `${at}/cardinality/characteristic`,
          `names characteristic "${card.characteristic}", which this product does not declare`,
        );
      } else if (c.type !== 'integer') {
        report(
          file,
          `${at}/cardinality/characteristic`,
          `characteristic "${card.characteristic}" must be of type integer to give a count`,
        );
      }
    }
    if (
      (card.kind === 'perSite' || card.kind === 'range') &&
      card.min !== undefined &&
      card.max !== undefined &&
      card.min > card.max
    ) {
      report(file, `${at}/cardinality`, `min (${card.min}) is greater than max (${card.max})`);
    }
    if (card.kind === 'perValue' && target) {
      const field = target.entity.fields.find((f) => f.id === card.field);
      if (!field) {
        report(
          file,
          `${at}/cardinality/field`,
          `names field "${card.field}", which entity "${need.entity}" does not have`,
        );
      } else {
        for (const value of card.values) {
          if (field.enum && !field.enum.includes(value)) {
            report(
              file,
              `${at}/cardinality/values`,
              `"${value}" is not one of the values of field "${card.field}"`,
            );
          }
        }
      }
    }
    if (need.when) {
      checkCondition(need.when, `${at}/when`, { file, report, fields: null, products: [spec] });
    }
  });
}

interface ConditionScope {
  file: string;
  report: Report;
  /** Fields of the record the condition is evaluated on; null where there is no record. */
  fields: Map<string, FieldSpec> | null;
  products: CatalogFile[];
}

function checkCondition(condition: Condition, at: string, scope: ConditionScope): void {
  const keys = Object.keys(condition);
  const subjects = SUBJECTS.filter((s) => keys.includes(s));
  const comparators = COMPARATORS.filter((c) => keys.includes(c));
  if (subjects.length !== 1) {
    scope.report(scope.file, at, `must name exactly one of ${SUBJECTS.join(', ')}`);
    return;
  }
  const subject = subjects[0]!;
  if (comparators.length > 1) {
    scope.report(scope.file, at, `may use only one of ${COMPARATORS.join(', ')}`);
  }
  if (comparators.length > 0 && subject !== 'field' && subject !== 'characteristic') {
    scope.report(scope.file, at, `"${comparators[0]}" applies only to a field or a characteristic`);
  }
  if ('all' in condition || 'any' in condition) {
    const list = 'all' in condition ? condition.all : condition.any;
    list.forEach((c, i) => checkCondition(c, `${at}/${subject}/${i}`, scope));
  } else if ('not' in condition) {
    checkCondition(condition.not, `${at}/not`, scope);
  } else if ('field' in condition) {
    if (!scope.fields) {
      scope.report(
        scope.file,
        `${at}/field`,
        'cannot use a record field here; use a characteristic or a feature',
      );
    } else if (!scope.fields.has(condition.field)) {
      scope.report(
        scope.file,
        `${at}/field`,
        `names field "${condition.field}", which this entity does not have`,
      );
    }
  } else if ('characteristic' in condition) {
    const name = condition.characteristic;
    if (!scope.products.some((p) => p.characteristics?.some((c) => c.name === name))) {
      scope.report(
        scope.file,
        `${at}/characteristic`,
        `names characteristic "${name}", which no product needing this declares`,
      );
    }
  } else if ('feature' in condition) {
    const name = condition.feature;
    if (!scope.products.some((p) => p.features?.includes(name))) {
      scope.report(
        scope.file,
        `${at}/feature`,
        `names feature "${name}", which no product needing this offers`,
      );
    }
  }
}

function checkEntity(
  file: string,
  at: string,
  entity: EntitySpec,
  products: CatalogFile[],
  entities: EntityIndex,
  report: Report,
) {
  const fields = new Map<string, FieldSpec>();
  entity.fields.forEach((field, i) => {
    if (fields.has(field.id))
      report(file, `${at}/fields/${i}/id`, `duplicates field "${field.id}"`);
    fields.set(field.id, field);
  });
  const fieldAt = (id: string) => entity.fields.findIndex((f) => f.id === id);
  const scope: ConditionScope = { file, report, fields, products };
  const mustExist = (id: string, pointer: string) => {
    if (!fields.has(id))
      report(file, pointer, `names field "${id}", which entity "${entity.id}" does not have`);
  };
  const mustBeEntity = (id: string, pointer: string) => {
    if (!entities.has(id))
      report(file, pointer, `names entity "${id}", which no catalogue file defines`);
  };

  (entity.naturalKey ?? []).forEach((id, i) => mustExist(id, `${at}/naturalKey/${i}`));
  if (entity.siteField) mustExist(entity.siteField, `${at}/siteField`);

  entity.fields.forEach((field, i) => {
    const fat = `${at}/fields/${i}`;
    if (field.type === 'array' && !field.items)
      report(file, `${fat}/items`, 'is required for a field of type array');
    if (field.type !== 'array' && field.items)
      report(file, `${fat}/items`, 'applies only to a field of type array');
    if (field.reference) mustBeEntity(field.reference, `${fat}/reference`);
    if (field.items?.reference) mustBeEntity(field.items.reference, `${fat}/items/reference`);
    if (field.countryField) mustExist(field.countryField, `${fat}/countryField`);
    if (field.format === 'postcode' && !field.countryField) {
      report(
        file,
        `${fat}/countryField`,
        'is required with format postcode (postcodes are checked by country)',
      );
    }
    // A file answer is one upload whose value is its attachment id: a string, never a list.
    if (field.format === 'file' && field.type !== 'string')
      report(
        file,
        `${fat}/type`,
        'must be string with format file (the value is the attachment id)',
      );
    if (field.items?.format === 'file')
      report(file, `${fat}/items/format`, 'file is one upload per field, not a list of them');
    if (typeof field.required === 'object')
      checkCondition(field.required.when, `${fat}/required/when`, scope);
    const prefill = field.prefill;
    if (
      prefill?.from === 'characteristic' &&
      !products.some((p) => p.characteristics?.some((c) => c.name === prefill.name))
    ) {
      report(
        file,
        `${fat}/prefill/name`,
        `names characteristic "${prefill.name}", which no product needing "${entity.id}" declares`,
      );
    }
    if (prefill?.from === 'contact' && prefill.roleField)
      mustExist(prefill.roleField, `${fat}/prefill/roleField`);
  });

  (entity.rules ?? []).forEach((rule, i) => {
    const rat = `${at}/rules/${i}`;
    switch (rule.kind) {
      case 'unique':
        rule.fields.forEach((f, j) => mustExist(f, `${rat}/fields/${j}`));
        if (rule.scope === 'site' && !entity.siteField) {
          report(file, `${rat}/scope`, `scope "site" needs the entity to declare its siteField`);
        }
        break;
      case 'reference':
        mustExist(rule.field, `${rat}/field`);
        mustBeEntity(rule.entity, `${rat}/entity`);
        break;
      case 'numberInBlock': {
        mustExist(rule.field, `${rat}/field`);
        const block = entities.get(rule.block.entity);
        if (!block) mustBeEntity(rule.block.entity, `${rat}/block/entity`);
        for (const key of ['from', 'to'] as const) {
          if (block && !block.entity.fields.some((f) => f.id === rule.block[key])) {
            report(
              file,
              `${rat}/block/${key}`,
              `names field "${rule.block[key]}", which entity "${rule.block.entity}" does not have`,
            );
          }
        }
        if (rule.ports) {
          const ports = entities.get(rule.ports.entity);
          const field = ports?.entity.fields.find((f) => f.id === rule.ports!.field);
          if (!ports) mustBeEntity(rule.ports.entity, `${rat}/ports/entity`);
          else if (!field)
            report(
              file,
              `${rat}/ports/field`,
              `names field "${rule.ports.field}", which entity "${rule.ports.entity}" does not have`,
            );
          else if (!['e164', 'e164-range'].includes(field.items?.format ?? field.format ?? ''))
            report(
              file,
              `${rat}/ports/field`,
              `field "${rule.ports.field}" must hold phone numbers or ranges (format e164 or e164-range)`,
            );
        }
        break;
      }
      case 'oneMembership': {
        mustExist(rule.field, `${rat}/field`);
        const index = fieldAt(rule.field);
        if (index >= 0 && entity.fields[index]!.type !== 'array') {
          report(
            file,
            `${rat}/field`,
            `field "${rule.field}" must be of type array to hold memberships`,
          );
        }
        break;
      }
    }
  });
}
