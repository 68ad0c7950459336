import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog/model.js';
import { AppError } from '../errors.js';
import { buildItem, buildProposal, buildQuote, buildSite } from '../test/factories.js';
import { testCatalog } from '../test/server.js';
import { contactRoleOf } from './from-tmf648.js';
import { readProposal } from './read-proposal.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await testCatalog();
});

function refusal(document: unknown): AppError {
  try {
    readProposal(document, catalog);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the proposal to be refused');
}

describe('a TMF648 quote', () => {
  it('becomes the canonical proposal', () => {
    const proposal = readProposal(buildQuote(), catalog);
    expect(proposal).toMatchObject({
      reference: 'Q-2026-7731',
      format: 'tmf648',
      customer: {
        id: 'ORG-5521',
        name: 'Kestrel Design Studio LLP',
        attributes: { email: 'hello@kestrel.example' },
      },
    });
    expect(proposal.sites.map((s) => s.id)).toEqual(['site-ldn', 'site-bri', 'site-edi']);
    expect(proposal.sites[0]!.address).toEqual({
      streetNr: '1',
      streetName: 'Tooley Street',
      city: 'London',
      postcode: 'SE1 2PF',
      country: 'GB',
      floor: '5',
      suite: '5.02',
    });
    expect(
      proposal.items.map((i) => [i.id, i.productSpecification, i.quantity, i.siteIds]),
    ).toEqual([
      ['10', 'hosted-voice', 1, ['site-ldn', 'site-bri', 'site-edi']],
      ['11', 'hosted-voice-seat', 40, ['site-ldn']],
      ['12', 'hosted-voice-seat', 40, ['site-bri']],
      ['13', 'hosted-voice-seat', 40, ['site-edi']],
    ]);
    expect(proposal.items[2]!.characteristics.features).toEqual([
      'voicemail',
      'sharedCallAppearance',
      'busyLampField',
    ]);
  });

  it('is refused with 422 unless accepted', () => {
    for (const state of ['inProgress', 'approved', 'pending', 'rejected', 'cancelled']) {
      const error = refusal(buildQuote({ state }));
      expect(error).toMatchObject({
        status: 422,
        code: 'proposal.not-agreed',
        errors: [{ pointer: '/state', detail: 'must be "accepted"' }],
      });
      expect(error.message).toContain(`state "${state}"`);
    }
  });

  it('names each unknown product specification with its pointer', () => {
    const quote = buildQuote() as {
      quoteItem: { product: { productSpecification: { id: string } } }[];
    };
    quote.quoteItem[1]!.product.productSpecification.id = 'fax-to-email';
    quote.quoteItem[3]!.product.productSpecification.id = 'carrier-pigeon';
    const error = refusal(quote);
    expect(error).toMatchObject({ status: 422, code: 'proposal.unknown-product' });
    expect(error.errors.map((e) => e.pointer)).toEqual([
      '/quoteItem/1/product/productSpecification/id',
      '/quoteItem/3/product/productSpecification/id',
    ]);
    expect(error.errors[0]!.detail).toContain('"fax-to-email" is not a product specification');
  });

  it('is refused with 400 and every schema finding when it does not match the Quote schema', () => {
    const error = refusal(
      buildQuote({ state: 'bogus', quoteDate: 12, relatedParty: [{ name: 'No id' }] }),
    );
    expect(error).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(error.errors.map((e) => e.pointer).sort()).toEqual([
      '/quoteDate',
      '/relatedParty/0/@referredType',
      '/relatedParty/0/id',
      '/state',
    ]);
  });

  it('needs a customer party and places with ids', () => {
    const quote = buildQuote({ relatedParty: [] }) as {
      quoteItem: { product: { place: { id?: string }[] } }[];
    };
    delete quote.quoteItem[1]!.product.place[0]!.id;
    const error = refusal(quote);
    expect(error).toMatchObject({ status: 422, code: 'proposal.invalid' });
    expect(error.errors.map((e) => e.pointer)).toEqual([
      '/relatedParty',
      '/quoteItem/1/product/place/0/id',
    ]);
  });

  it('checks characteristics the catalogue declares, and features against those offered', () => {
    const quote = buildQuote() as {
      quoteItem: { product: { productCharacteristic: { name: string; value: unknown }[] } }[];
    };
    quote.quoteItem[0]!.product.productCharacteristic[0]!.value = 'two';
    quote.quoteItem[1]!.product.productCharacteristic[0]!.value = ['voicemail', 'teleportation'];
    const error = refusal(quote);
    expect(error.errors).toEqual([
      {
        pointer: '/quoteItem/0/product/productCharacteristic/0/value',
        detail: 'characteristic "numberBlocks" must be a whole number',
      },
      {
        pointer: '/quoteItem/1/product/productCharacteristic/0/value',
        detail: expect.stringContaining('teleportation') as string,
      },
    ]);
  });

  it('reads contact roles however the quote system spells them', () => {
    expect(contactRoleOf('technicalContact')).toBe('technical');
    expect(contactRoleOf('Technical Contact')).toBe('technical');
    expect(contactRoleOf('billing_contact')).toBe('billing');
    expect(contactRoleOf('Contact')).toBe('primary');
  });
});

describe('a native proposal', () => {
  it('becomes the canonical proposal', () => {
    const proposal = readProposal(buildProposal({ reference: 'N-1' }), catalog);
    expect(proposal).toMatchObject({
      reference: 'N-1',
      format: 'native',
      customer: { name: 'Fenwick & Rowe Surveyors Ltd' },
    });
    expect(proposal.items[0]).toEqual({
      id: 'seats',
      productSpecification: 'hosted-voice-seat',
      quantity: 5,
      characteristics: { features: ['voicemail'] },
      siteIds: [],
    });
  });

  it('is refused with 422 unless agreed', () => {
    expect(refusal(buildProposal({ status: 'draft' }))).toMatchObject({
      status: 422,
      code: 'proposal.not-agreed',
      errors: [{ pointer: '/status' }],
    });
  });

  it('lists every schema finding with a JSON pointer', () => {
    const error = refusal({
      ...buildProposal(),
      items: [{ ...buildItem(), quantity: 0 }, { productSpecification: 'x' }],
      colour: 'blue',
    });
    expect(error.status).toBe(400);
    expect(error.errors.map((e) => e.pointer).sort()).toEqual([
      '/colour',
      '/items/0/quantity',
      '/items/1/id',
      '/items/1/quantity',
    ]);
  });

  it('refuses items at sites the proposal does not list, and repeated ids', () => {
    const error = refusal(
      buildProposal({
        sites: [buildSite('a'), buildSite('a')],
        items: [buildItem({ sites: ['a', 'nowhere'] })],
      }),
    );
    expect(error).toMatchObject({ status: 422, code: 'proposal.invalid' });
    expect(error.errors).toEqual([
      { pointer: '/sites/1/id', detail: 'repeats site id "a"' },
      {
        pointer: '/items/0/sites/1',
        detail: 'names site "nowhere", which the proposal does not list',
      },
    ]);
  });

  it('is refused when it is not an object', () => {
    expect(refusal([1, 2])).toMatchObject({ status: 400, code: 'request.invalid' });
  });
});
