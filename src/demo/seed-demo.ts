import { readFileSync } from 'node:fs';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';

/** The demo agreed proposal (native form): a three-site logistics company. */
export function demoProposal(): unknown {
  return JSON.parse(
    readFileSync(new URL('../../src/demo/demo-proposal.json', import.meta.url), 'utf8'),
  );
}

/** Opens the demo acquisition unless the database already has any acquisition. Returns its id or null. */
export async function seedDemo(service: AcquisitionService): Promise<string | null> {
  const page = await service.list({ offset: 0, limit: 1 });
  if (page.total > 0) return null;
  const demo: Principal = { tokenId: 'demo', name: 'demo-seed', role: 'admin' };
  const acquisition = await service.open(demoProposal(), demo);
  return acquisition.id;
}
