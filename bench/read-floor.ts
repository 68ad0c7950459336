/**
 * The ceiling of `npm run bench:read`: a plain `node:http` server over `better-sqlite3` that
 * answers the same page of records as `GET /api/v1/acquisitions/{id}/records?limit=100` (the
 * total, the first 100 records by id with their values, and their findings), with none of
 * Intake's authentication, scope, schema checks or presentation. Started by bench/read.ts as a
 * process of its own: `tsx bench/read-floor.ts <sqlite file> <port>`.
 */
import Database from 'better-sqlite3';
import { createServer } from 'node:http';

const [file, port] = process.argv.slice(2);
if (!file || !port) throw new Error('usage: tsx bench/read-floor.ts <sqlite file> <port>');
const db = new Database(file, { readonly: true });
db.pragma('cache_size = -65536');

const total = db.prepare('select count(*) as n from records where acquisition_id = ?');
const page = db.prepare(
  'select id, entity, site, "values", status, version, updated_at from records where acquisition_id = ? order by id limit ? offset ?',
);
const findingsOf = db.prepare(
  'select record_id, rule, field, severity, message from findings where record_id in (select value from json_each(?))',
);

interface Row {
  id: string;
  entity: string;
  site: string | null;
  values: string;
  status: string;
  version: number;
  updated_at: string;
}
interface FindingRow {
  record_id: string;
  rule: string;
  field: string;
  severity: string;
  message: string;
}

createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://floor');
  const acquisition = url.searchParams.get('acquisition') ?? '';
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const rows = page.all(acquisition, limit, offset) as Row[];
  const findings = findingsOf.all(JSON.stringify(rows.map((r) => r.id))) as FindingRow[];
  const byRecord = new Map<string, FindingRow[]>();
  for (const f of findings) byRecord.set(f.record_id, [...(byRecord.get(f.record_id) ?? []), f]);
  const body = JSON.stringify({
    total: (total.get(acquisition) as { n: number }).n,
    items: rows.map((r) => ({
      id: r.id,
      entity: r.entity,
      site: r.site,
      values: JSON.parse(r.values) as unknown,
      status: r.status,
      version: r.version,
      updatedAt: r.updated_at,
      findings: (byRecord.get(r.id) ?? []).map((f) => ({
        rule: f.rule,
        field: f.field,
        severity: f.severity,
        message: f.message,
      })),
    })),
  });
  response.writeHead(200, { 'content-type': 'application/json' }).end(body);
}).listen(Number(port), '127.0.0.1');
