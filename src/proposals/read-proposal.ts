import type { Catalog } from '../catalog/model.js';
import { errors, type ProblemDetail } from '../errors.js';
import { createAjv, toSchemaFindings } from '../schema/ajv.js';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import { checkProposal } from './check-proposal.js';
import { fromNative } from './from-native.js';
import { fromTmf648, type Tmf648Quote } from './from-tmf648.js';
import { NativeProposalSchema, type NativeProposal } from './native-schema.js';
import type { Proposal } from './proposal.js';

const validateNative = createAjv().compile<NativeProposal>(NativeProposalSchema);

/** True when the document looks like a TMF648 Quote rather than a native proposal. */
export function isTmf648Quote(doc: Record<string, unknown>): boolean {
  return Array.isArray(doc.quoteItem) || doc['@type'] === 'Quote';
}

const toDetails = (findings: { pointer: string; message: string }[]): ProblemDetail[] =>
  findings.map((f) => ({ pointer: f.pointer, detail: f.message }));

/**
 * Reads an agreed proposal in either accepted form (TMF648 Quote or native JSON) and checks it
 * against the catalogue. Throws an `AppError` listing every problem: 400 for a document that
 * does not match its schema, 422 for one that is not agreed or names unknown products.
 */
export function readProposal(doc: unknown, catalog: Catalog): Proposal {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw errors.invalidRequest('The proposal must be a JSON object.', [
      { pointer: '', detail: 'must be an object' },
    ]);
  }
  const record = doc as Record<string, unknown>;
  let converted;
  if (isTmf648Quote(record)) {
    const validate = tmfValidator('quote', 'Quote');
    if (!validate(record)) {
      throw errors.invalidRequest(
        'The TMF648 quote does not match the Quote schema.',
        toDetails(toSchemaFindings(validate.errors)),
      );
    }
    const quote = record as unknown as Tmf648Quote;
    if (quote.state !== 'accepted') {
      throw errors.proposalNotAgreed(
        `Quote "${quote.id ?? '?'}" is in state "${quote.state ?? 'unset'}"; an acquisition opens only for an accepted quote.`,
        [{ pointer: '/state', detail: 'must be "accepted"' }],
      );
    }
    converted = fromTmf648(quote);
    if (converted.problems.length > 0) {
      throw errors.invalidProposal(
        'The quote lacks what Intake needs to open an acquisition.',
        converted.problems,
      );
    }
  } else {
    if (!validateNative(record)) {
      throw errors.invalidRequest(
        'The proposal does not match the native proposal schema.',
        toDetails(toSchemaFindings(validateNative.errors)),
      );
    }
    if (record.status !== 'agreed') {
      throw errors.proposalNotAgreed(
        `Proposal "${String(record.reference)}" has status "${String(record.status)}"; an acquisition opens only for an agreed proposal.`,
        [{ pointer: '/status', detail: 'must be "agreed"' }],
      );
    }
    converted = fromNative(record);
  }
  const { proposal, locate } = converted;
  const problems = checkProposal(proposal, catalog, locate);
  if (problems.unknownProducts.length > 0) {
    const names = problems.unknownProducts.length;
    throw errors.unknownProducts(
      `The proposal names ${names} product specification${names > 1 ? 's' : ''} the catalogue does not know.`,
      [...problems.unknownProducts, ...problems.invalid],
    );
  }
  if (problems.invalid.length > 0) {
    throw errors.invalidProposal('The proposal does not fit the catalogue.', problems.invalid);
  }
  return proposal;
}
