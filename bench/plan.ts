/**
 * npm run bench:plan — the time to determine the plan of a large hosted-voice proposal:
 * 200 sites, 10,000 seats (50 per site, features varying by site), 40 hunt groups and
 * 120 pickup groups. Prints the median, the 95th percentile and the peak memory.
 * Also measures the same plan with every user and handset captured (20,000 records),
 * which is the path the capture engine takes once records exist.
 */
import { performance } from 'node:perf_hooks';
import { loadCatalog } from '../src/catalog/load-catalog.js';
import { determinePlan } from '../src/plan/determine-plan.js';
import type { PlanRecord } from '../src/plan/plan.js';
import { readProposal } from '../src/proposals/read-proposal.js';

const SITES = 200;
const SEATS_PER_SITE = 50;
const FEATURE_SETS = [
  ['voicemail'],
  ['voicemail', 'busyLampField', 'mobileTwinning'],
  ['voicemail', 'sharedCallAppearance'],
  ['hotDesking'],
  ['voicemail', 'callRecording', 'callForwarding'],
];

function proposal() {
  const sites = Array.from({ length: SITES }, (_, i) => ({
    id: `site-${i + 1}`,
    name: `Branch ${i + 1}`,
    address: {
      streetNr: String(i + 1),
      streetName: 'Market Street',
      city: 'Leeds',
      postcode: 'LS1 6DT',
      country: 'GB',
    },
  }));
  const items = [
    {
      id: 'group',
      productSpecification: 'hosted-voice',
      quantity: 1,
      characteristics: {
        numberBlocks: 20,
        huntGroups: 40,
        pickupGroups: 120,
        autoAttendants: 4,
        extensionLength: 5,
        features: ['autoAttendant', 'callRecording'],
      },
    },
    ...sites.map((site, i) => ({
      id: `seats-${i + 1}`,
      productSpecification: 'hosted-voice-seat',
      quantity: SEATS_PER_SITE,
      sites: [site.id],
      characteristics: {
        features: FEATURE_SETS[i % FEATURE_SETS.length],
        handsetModel: 'Yealink T54W',
        userType: 'standard',
      },
    })),
  ];
  return {
    reference: 'BENCH-1',
    status: 'agreed',
    customer: { name: 'Bench Retail plc' },
    sites,
    items,
  };
}

function capturedRecords(): PlanRecord[] {
  const records: PlanRecord[] = [];
  for (let s = 1; s <= SITES; s++) {
    for (let n = 1; n <= SEATS_PER_SITE; n++) {
      const ext = String(10000 + (s - 1) * SEATS_PER_SITE + n);
      records.push({
        id: `u-${ext}`,
        entity: 'user',
        slot: `user/seats-${s}#${n}`,
        values: {
          firstName: 'Ada',
          lastName: `User ${ext}`,
          email: `u${ext}@bench.example`,
          extension: ext,
          voicemail: true,
          voicemailEmail: `u${ext}@bench.example`,
        },
      });
      records.push({
        id: `h-${ext}`,
        entity: 'handset',
        slot: `handset/seats-${s}#${n}`,
        values: { mac: `805EC0${ext.padStart(6, '0')}`, assignedUser: ext },
      });
    }
  }
  return records;
}

function measure(label: string, runs: number, fn: () => unknown) {
  for (let i = 0; i < 5; i++) fn(); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;
  console.log(
    `${label.padEnd(44)} median ${median.toFixed(2).padStart(8)} ms   p95 ${p95.toFixed(2).padStart(8)} ms   (${runs} runs)`,
  );
  return median;
}

const catalog = await loadCatalog(new URL('../catalog', import.meta.url).pathname);
const doc = proposal();
const parsed = readProposal(doc, catalog);
const records = capturedRecords();

console.log(
  `Plan benchmark: ${SITES} sites, ${SITES * SEATS_PER_SITE} seats, 40 hunt groups, 120 pickup groups (node ${process.version}, ${process.arch})`,
);
const empty = measure('determinePlan, nothing captured yet', 50, () =>
  determinePlan(parsed, catalog, []),
);
measure('readProposal + determinePlan', 50, () =>
  determinePlan(readProposal(doc, catalog), catalog, []),
);
const full = measure('determinePlan, 20,000 records captured', 20, () =>
  determinePlan(parsed, catalog, records),
);
const plan = determinePlan(parsed, catalog, []);
console.log(
  `plan: ${plan.expectedRecords} expected records, ${plan.requiredFields} required fields; user ${plan.entities.find((e) => e.entity === 'user')?.expected}, handset ${plan.entities.find((e) => e.entity === 'handset')?.expected}`,
);
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; heap used now ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
);
console.log(
  `goal: median under 100 ms -> ${empty < 100 ? 'met' : 'NOT met'} (${(100 / empty).toFixed(0)}x headroom); with records ${full < 100 ? 'met' : 'NOT met'}`,
);
