/**
 * The server's checks of a value, run in the browser: normalisation by format (phone numbers with
 * libphonenumber's metadata, IP addresses, MACs…) and references written by name. Its own script,
 * loaded after the first screen (see value-checks-loader.ts): those libraries are most of the
 * application's code, and nothing on a first screen needs them before the user types.
 */
export { countryOf, normalizeRecordValues } from '../../../src/capture/record-values.js';
export { resolvableByName } from '../../../src/capture/reference-resolution.js';
