/**
 * What the benchmarks share: Intake's compiled code (dist/, built by the npm script, as `npm start`
 * runs it; the types come from the sources) and the one-site proposal they open.
 */
const lib = new URL('../dist/', import.meta.url).href;

/** A module of the compiled code, by its path under dist/. */
export const loadCompiled = async <T>(path: string): Promise<T> =>
  (await import(`${lib}${path}`)) as T;

/** An agreed native proposal of hosted-voice seats at one site, York Office. */
export function yorkSeatsProposal(
  reference: string,
  customer: { id?: string; name: string },
  quantity: number,
  characteristics: Record<string, unknown>,
  contacts: { role: string; name: string; email?: string }[] = [],
) {
  return {
    reference,
    status: 'agreed',
    customer,
    ...(contacts.length > 0 ? { contacts } : {}),
    sites: [
      {
        id: 'york',
        name: 'York Office',
        address: { streetName: 'Micklegate', city: 'York', postcode: 'YO1 6JH', country: 'GB' },
      },
    ],
    items: [{ id: 'seats', productSpecification: 'hosted-voice-seat', quantity, characteristics }],
  };
}
