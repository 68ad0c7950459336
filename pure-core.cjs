/**
 * The pure core: the modules that take data and return data, with no database, HTTP, file system,
 * clock or randomness. .dependency-cruiser.cjs keeps I/O out of their imports; eslint.config.js
 * keeps the clock out of their code. A new pure module is added here.
 */
module.exports = [
  '^src/plan/',
  '^src/catalog/(model|check-catalog|parse-catalog|meta-schema|from-tmf620)\\.ts$',
  '^src/proposals/(proposal|check-proposal|from-native|from-tmf648|locator|native-schema|read-proposal)\\.ts$',
  '^src/capture/(capture-errors|cross-record|digest|formats|key-index|key-table|normalize-field|phone-ranges|record|record-keys|record-limits|record-values|reference-resolution|thread-messages|value-limits)\\.ts$',
  '^src/worklist/(describe-group|next-action|work-list)\\.ts$',
  '^src/interview/(call-script|next-questions|record-names)\\.ts$',
  '^src/mail/(follow-up-recipients|link-message|mail-message|reminder-messages)\\.ts$',
  '^src/access/(customer-scope|roles)\\.ts$',
  '^src/handover/(product-order|site-names)\\.ts$',
  '^src/notifications/(address-policy|envelope)\\.ts$',
  '^src/spreadsheets/(header-mapping|ignored-columns|site-seats|template-sheets|sheet-columns|sheet-row|row-limits|sheet-limits)\\.ts$',
  '^src/forms/form-context\\.ts$',
  '^src/attachments/content-type\\.ts$',
  '^src/health/readiness\\.ts$',
  '^src/errors\\.ts$',
];
