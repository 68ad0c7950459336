import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog/model.js';
import { parseCatalog } from '../catalog/parse-catalog.js';
import { readProposal } from '../proposals/read-proposal.js';
import type { Proposal } from '../proposals/proposal.js';
import { buildItem, buildProposal, buildQuote, buildSite } from '../test/factories.js';
import { testCatalog } from '../test/server.js';
import { determinePlan } from './determine-plan.js';
import { listPlanSlots } from './list-plan-slots.js';
import type { EntityPlan, Plan } from './plan.js';

let demo: Catalog;
beforeAll(async () => {
  demo = await testCatalog();
});

const entity = (plan: Plan, id: string): EntityPlan => {
  const found = plan.entities.find((e) => e.entity === id);
  if (!found)
    throw new Error(`plan has no entity ${id}: ${plan.entities.map((e) => e.entity).join(', ')}`);
  return found;
};
const missing = (plan: Plan, id: string) =>
  Object.fromEntries(entity(plan, id).missing.map((m) => [m.field, m.count]));

describe('a TMF648 quote for 3 sites and 120 seats', () => {
  it('expects 3 sites, 120 users and 120 handsets', () => {
    const plan = determinePlan(readProposal(buildQuote(), demo), demo);
    expect(entity(plan, 'site').expected).toBe(3);
    expect(entity(plan, 'user').expected).toBe(120);
    expect(entity(plan, 'handset').expected).toBe(120);
    expect(entity(plan, 'user').sites.map((s) => [s.site, s.expected])).toEqual([
      ['site-ldn', 40],
      ['site-bri', 40],
      ['site-edi', 40],
    ]);
  });

  it('requires the handset fields of the features chosen on each quote item', () => {
    const plan = determinePlan(readProposal(buildQuote(), demo), demo);
    const handset = missing(plan, 'handset');
    // London: voicemail only; Bristol: shared call appearance + busy lamp field; Edinburgh: hot desking.
    expect(handset.mac).toBe(120);
    expect(handset.sharedLinePortId).toBe(40);
    expect(handset.lineKeys).toBe(40);
    expect(handset.busyLampExtensions).toBe(40);
    expect(handset.hotDeskHost).toBe(40);
    expect(handset.assignedUser).toBe(80); // a hot-desk phone has no fixed user
    const slots = listPlanSlots(readProposal(buildQuote(), demo), demo, [], {
      entity: 'handset',
      site: 'site-bri',
      limit: 1,
    });
    expect(slots.slots[0]!.required).toEqual([
      'mac',
      'model',
      'site',
      'assignedUser',
      'lineKeys',
      'sharedLinePortId',
      'busyLampExtensions',
    ]);
  });

  it('pre-fills from the quote: places, parties, contact media and characteristics', () => {
    const proposal = readProposal(buildQuote(), demo);
    const plan = determinePlan(proposal, demo);
    const site = entity(plan, 'site');
    expect(Object.fromEntries(site.prefilled.map((p) => [p.field, p.count]))).toMatchObject({
      name: 3,
      streetNr: 3,
      streetName: 3,
      city: 3,
      postcode: 3,
      country: 3,
    });
    // Optional fields (floor, suite) are pre-filled too, though only required ones count above.
    const [london] = listPlanSlots(proposal, demo, [], { entity: 'site', site: 'site-ldn' }).slots;
    expect(london!.prefilled).toMatchObject({
      name: 'London Bridge Office',
      streetName: 'Tooley Street',
      postcode: 'SE1 2PF',
      country: 'GB',
      floor: '5',
      suite: '5.02',
    });
    const [group] = listPlanSlots(proposal, demo, [], { entity: 'customerGroup' }).slots;
    expect(group!.prefilled).toMatchObject({
      groupName: 'Kestrel Design Studio LLP',
      extensionLengthMin: 4,
    });
    const contacts = listPlanSlots(proposal, demo, [], { entity: 'contact' }).slots;
    expect(contacts.map((c) => c.prefilled)).toEqual([
      { role: 'primary', name: 'Alex Placeholder' },
      {
        role: 'technical',
        name: 'Morgan Example',
        email: 'it@kestrel.example',
        phone: '+442079460000',
      },
    ]);
    const [user] = listPlanSlots(proposal, demo, [], { entity: 'user', site: 'site-edi' }).slots;
    expect(user!.prefilled).toEqual({ site: 'site-edi', userType: 'standard' });
    expect(user!.id).toBe('user/13#1'); // quote item 13 is Edinburgh's
  });

  it('is deterministic, with stable identifiers', () => {
    const a = determinePlan(readProposal(buildQuote(), demo), demo);
    const b = determinePlan(readProposal(buildQuote(), demo), demo);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const ids = listPlanSlots(readProposal(buildQuote(), demo), demo, [], {
      limit: 1000,
    }).slots.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('site@site-bri#1');
    expect(ids).toContain('contact:technical#1');
    expect(ids).toContain('handset/13#40');
  });
});

// A small catalogue that exercises every cardinality and condition kind in isolation.
const lab = parseCatalog([
  {
    file: 'lab.yaml',
    text: `kind: product
id: lab
version: 1.0.0
name: Lab
characteristics:
  - { name: boxes, type: integer }
  - { name: tier, type: string, enum: [gold, silver] }
  - { name: features, type: array }
features: [extra, audit]
needs:
  - { entity: seat, cardinality: { kind: perQuantity, multiplier: 2 } }
  - { entity: room, cardinality: { kind: perSite, min: 2, max: 5 } }
  - { entity: office, cardinality: { kind: fixed, count: 3 } }
  - { entity: note, cardinality: { kind: range, min: 1, max: 4 } }
  - { entity: box, cardinality: { kind: fromCharacteristic, characteristic: boxes } }
  - { entity: person, cardinality: { kind: perValue, field: role, values: [owner, deputy] } }
  - { entity: auditLog, when: { feature: audit }, cardinality: { kind: fixed, count: 1 } }
entities:
  - id: seat
    name: Seat
    fields:
      - { id: a, label: A, type: string, owner: customer, question: A?, required: true }
      - { id: kind, label: Kind, type: string, enum: [x, y], owner: customer, question: Kind? }
      - { id: onlyX, label: X, type: string, owner: customer, question: X?, required: { when: { field: kind, equals: x } } }
      - { id: xOrY, label: XY, type: string, owner: customer, question: XY?, required: { when: { field: kind, in: [x, y] } } }
      - { id: noKind, label: NK, type: string, owner: customer, question: NK?, required: { when: { field: kind, present: false } } }
      - { id: gold, label: G, type: string, owner: sales, question: G?, required: { when: { characteristic: tier, equals: gold } } }
      - { id: extra, label: E, type: string, owner: engineering, question: E?, required: { when: { feature: extra } } }
      - { id: both, label: B, type: string, owner: customer, question: B?, required: { when: { all: [{ feature: extra }, { field: kind, equals: y }] } } }
      - { id: either, label: Ei, type: string, owner: customer, question: Ei?, required: { when: { any: [{ feature: audit }, { characteristic: tier, in: [silver] }] } } }
      - { id: notGold, label: NG, type: string, owner: customer, question: NG?, required: { when: { not: { characteristic: tier, equals: gold } } } }
  - { id: room, name: Room, fields: [{ id: a, label: A, type: string, owner: customer, question: A?, required: true }] }
  - { id: office, name: Office, fields: [{ id: a, label: A, type: string, owner: customer, question: A?, required: true }] }
  - { id: note, name: Note, fields: [{ id: a, label: A, type: string, owner: customer, question: A? }] }
  - { id: box, name: Box, fields: [{ id: a, label: A, type: string, owner: customer, question: A?, required: true }] }
  - { id: auditLog, name: Audit log, fields: [{ id: a, label: A, type: string, owner: customer, question: A?, required: true }] }
  - id: person
    name: Person
    fields:
      - { id: role, label: Role, type: string, enum: [owner, deputy], owner: sales, question: Role?, required: true }
      - { id: name, label: Name, type: string, owner: customer, question: Name?, required: true, prefill: { from: contact, path: name, roleField: role } }
`,
  },
]);

function labProposal(
  characteristics: Record<string, unknown>,
  quantity = 3,
  sites = ['s1', 's2'],
): Proposal {
  return {
    reference: 'LAB-1',
    format: 'native',
    customer: { name: 'Lab Ltd', attributes: {} },
    contacts: [{ role: 'owner', name: 'Olive Owner' }],
    sites: sites.map((id) => ({ id, name: id, address: {} })),
    items: [{ id: 'i1', productSpecification: 'lab', quantity, characteristics, siteIds: [] }],
  };
}

describe('cardinality', () => {
  const plan = determinePlan(labProposal({ boxes: 4, tier: 'gold' }), lab);

  it('perQuantity: quantity × multiplier', () => {
    expect(entity(plan, 'seat')).toMatchObject({ expected: 6, max: 6 });
  });
  it('perSite: min per site, max per site', () => {
    expect(entity(plan, 'room')).toMatchObject({ expected: 4, max: 10 });
    expect(entity(plan, 'room').sites).toEqual([
      { site: 's1', expected: 2, present: 0, complete: 0, max: 5 },
      { site: 's2', expected: 2, present: 0, complete: 0, max: 5 },
    ]);
  });
  it('fixed: the count', () => {
    expect(entity(plan, 'office')).toMatchObject({ expected: 3, max: 3 });
  });
  it('range: min expected, max allowed; an optional-only entity is complete', () => {
    expect(entity(plan, 'note')).toMatchObject({
      expected: 1,
      max: 4,
      requiredFields: 0,
      completeness: 1,
    });
  });
  it('fromCharacteristic: the quote characteristic, and none when it is absent', () => {
    expect(entity(plan, 'box').expected).toBe(4);
    expect(determinePlan(labProposal({}), lab).entities.some((e) => e.entity === 'box')).toBe(
      false,
    );
  });
  it('perValue: one per value, with the value and its pre-fill set', () => {
    expect(entity(plan, 'person')).toMatchObject({ expected: 2 });
    expect(missing(plan, 'person')).toEqual({ name: 1 }); // the owner's name comes from the proposal contact
  });
  it('a need with a condition applies only when it holds', () => {
    expect(plan.entities.some((e) => e.entity === 'auditLog')).toBe(false);
    expect(
      entity(determinePlan(labProposal({ features: ['audit'] }), lab), 'auditLog').expected,
    ).toBe(1);
  });
});

describe('conditions', () => {
  const seatRequired = (
    characteristics: Record<string, unknown>,
    values: Record<string, unknown> = {},
  ) => {
    const proposal = labProposal(characteristics, 1);
    const records = Object.keys(values).length > 0 ? [{ id: 'r1', entity: 'seat', values }] : [];
    return listPlanSlots(proposal, lab, records, { entity: 'seat', limit: 1 }).slots[0]!.required;
  };

  it('on a field of the same record: equals, in, present', () => {
    expect(seatRequired({ tier: 'silver' })).toEqual(['a', 'noKind', 'either', 'notGold']);
    expect(seatRequired({ tier: 'silver' }, { kind: 'x' })).toEqual([
      'a',
      'onlyX',
      'xOrY',
      'either',
      'notGold',
    ]);
    expect(seatRequired({ tier: 'silver' }, { kind: 'y' })).toEqual([
      'a',
      'xOrY',
      'either',
      'notGold',
    ]);
  });
  it('on a proposal characteristic', () => {
    expect(seatRequired({ tier: 'gold' })).toContain('gold');
    expect(seatRequired({ tier: 'silver' })).not.toContain('gold');
  });
  it('on a selected feature', () => {
    expect(seatRequired({ features: ['extra'] })).toContain('extra');
    expect(seatRequired({ features: [] })).not.toContain('extra');
  });
  it('all, any and not', () => {
    expect(seatRequired({ features: ['extra'] }, { kind: 'y' })).toContain('both');
    expect(seatRequired({ features: ['extra'] }, { kind: 'x' })).not.toContain('both');
    expect(seatRequired({ features: ['audit'], tier: 'gold' })).toContain('either');
    expect(seatRequired({ tier: 'gold' })).not.toContain('either');
    expect(seatRequired({ tier: 'gold' })).not.toContain('notGold');
  });
});

describe('captured records', () => {
  it('fill their slots and raise completeness', () => {
    const proposal = labProposal({ tier: 'gold' }, 1);
    const before = determinePlan(proposal, lab);
    const record = {
      id: 'r1',
      entity: 'seat',
      slot: 'seat/i1#1',
      values: { a: 'v', kind: 'x', onlyX: 'v', xOrY: 'v', gold: 'v' },
    };
    const after = determinePlan(proposal, lab, [record]);
    expect(entity(after, 'seat')).toMatchObject({ expected: 2, present: 1, complete: 1 });
    expect(after.completeness).toBeGreaterThan(before.completeness);
    expect(
      listPlanSlots(proposal, lab, [record], { entity: 'seat' }).slots.map((s) => s.recordId),
    ).toEqual(['r1', null]);
  });

  it('beyond the maximum are kept visible, not dropped', () => {
    const records = [1, 2, 3].map((n) => ({ id: `r${n}`, entity: 'office', values: { a: 'v' } }));
    records.push({ id: 'r4', entity: 'office', values: { a: 'v' } });
    const plan = determinePlan(labProposal({}), lab, records);
    expect(entity(plan, 'office')).toMatchObject({ expected: 3, present: 4, complete: 4 });
  });
});

describe('the demo proposal', () => {
  it('needs every product it names, with owners for every missing field', () => {
    const plan = determinePlan(
      readProposal(
        buildProposal({
          reference: 'D',
          items: [buildItem({ quantity: 2 })],
          sites: [buildSite('a'), buildSite('b')],
        }),
        demo,
      ),
      demo,
    );
    expect(entity(plan, 'user').expected).toBe(2);
    expect(entity(plan, 'site').expected).toBe(2);
    expect(plan.owners.map((o) => o.owner)).toEqual(['customer', 'sales', 'engineering']);
    expect(plan.owners.reduce((n, o) => n + o.missingFields, 0)).toBe(
      plan.requiredFields - plan.satisfiedFields,
    );
  });
});
