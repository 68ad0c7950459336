import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog/model.js';
import { testCatalog } from '../test/server.js';
import { callScript, isShareable, placeTitle, questionsIn } from './call-script.js';
import type { Question } from './next-questions.js';
import { pluralName, recordName } from './record-names.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await testCatalog();
});

/** A question as `nextQuestions` asks it, for a user at a site unless told otherwise. */
function question(recordId: string, field: string, overrides: Partial<Question> = {}): Question {
  const entity = catalog.entities.get(overrides.entity ?? 'user')!;
  const spec = entity.fields.find((f) => f.id === field)!;
  return {
    recordId,
    recordVersion: 1,
    entity: entity.id,
    entityName: entity.name,
    site: 'london',
    siteName: 'London HQ',
    recordName: `User ${recordId}`,
    field,
    label: spec.label,
    question: spec.question,
    owner: spec.owner,
    type: spec.type,
    ...(spec.enum ? { enum: spec.enum } : {}),
    reason: 'missing',
    ...overrides,
  };
}

describe('the call script', () => {
  it('asks a field that many records of a site miss once, naming the records, before the rest', () => {
    const users = Array.from({ length: 50 }, (_, i) => `u${i + 1}`);
    const questions = users.flatMap((id) => [question(id, 'lastName'), question(id, 'voicemail')]);
    const steps = callScript(catalog, questions);
    expect(steps[0]).toMatchObject({
      kind: 'matrix',
      title: 'London HQ · Users',
      field: 'voicemail',
      question: 'Voicemail for these 50 users at London HQ',
      prompt: 'Should this user have voicemail?',
      type: 'boolean',
    });
    expect(steps[0]!.kind === 'matrix' && steps[0]!.records.map((r) => r.recordName)).toEqual(
      users.map((id) => `User ${id}`),
    );
    // Last names differ per person: asked record by record, in the same group.
    expect(
      steps.slice(1).every((s) => s.kind === 'single' && s.question.field === 'lastName'),
    ).toBe(true);
    expect(steps).toHaveLength(51);
    expect(questionsIn(steps)).toBe(100);
  });

  it('groups by site and entity in the order asked, and asks few records one by one', () => {
    const steps = callScript(catalog, [
      question('a', 'voicemail'),
      question('b', 'voicemail'),
      question('s', 'timeZone', {
        entity: 'site',
        site: 'leeds',
        siteName: 'Leeds',
        recordName: 'Leeds',
      }),
      question('c', 'language', { site: 'leeds', siteName: 'Leeds' }),
      question('d', 'language', { site: 'leeds', siteName: 'Leeds' }),
      question('e', 'language', { site: 'leeds', siteName: 'Leeds' }),
    ]);
    expect(steps.map((s) => [s.title, s.kind])).toEqual([
      ['London HQ · Users', 'single'],
      ['London HQ · Users', 'single'],
      ['Leeds · Sites', 'single'],
      ['Leeds · Users', 'matrix'],
    ]);
  });

  it('keeps unique, natural-key, personal and record-reference fields per record', () => {
    const user = catalog.entities.get('user')!;
    const handset = catalog.entities.get('handset')!;
    const field = (e: typeof user, id: string) => e.fields.find((f) => f.id === id)!;
    expect(isShareable(user, field(user, 'voicemail'))).toBe(true);
    expect(isShareable(user, field(user, 'language'))).toBe(true);
    expect(isShareable(user, field(user, 'email'))).toBe(false);
    expect(isShareable(user, field(user, 'directNumber'))).toBe(false);
    expect(isShareable(handset, field(handset, 'mac'))).toBe(false);
    expect(isShareable(handset, field(handset, 'model'))).toBe(true);
    expect(isShareable(handset, field(handset, 'assignedUser'))).toBe(false);
    expect(isShareable(handset, field(handset, 'site'))).toBe(true);
  });
});

describe('record names', () => {
  it('name a user by name and extension, a site by its name, else by entity and number', () => {
    const user = catalog.entities.get('user')!;
    const site = catalog.entities.get('site')!;
    const handset = catalog.entities.get('handset')!;
    expect(
      recordName(
        user,
        { values: { firstName: 'Priya', lastName: 'Raman', extension: '2001' } },
        'Leeds',
        4,
      ),
    ).toBe('Priya Raman (ext. 2001)');
    expect(recordName(user, { values: { extension: '2002' } }, 'Leeds', 4)).toBe(
      'User 4 (ext. 2002)',
    );
    expect(recordName(user, { values: {} }, 'Leeds', 12)).toBe('User 12');
    expect(recordName(site, { values: {} }, 'Leeds HQ', 1)).toBe('Leeds HQ');
    expect(recordName(handset, { values: { mac: '80:5E:C0:00:00:01' } }, null, 2)).toBe(
      'Handset 2 (80:5E:C0:00:00:01)',
    );
    expect(pluralName({ name: 'Number block' }, 2)).toBe('number blocks');
    expect(pluralName({ name: 'Emergency location' }, 1)).toBe('emergency location');
    expect(placeTitle(null, { name: 'Port request' })).toBe('Port requests');
  });
});
