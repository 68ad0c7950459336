import { luhnValid } from '../capture/formats.js';
import type { FieldSpec } from '../catalog/model.js';

/** A question as the interview API returns it. */
export interface AskedQuestion {
  recordId: string;
  entity: string;
  site: string | null;
  field: string;
  type: FieldSpec['type'];
  format?: string;
  enum?: (string | number)[];
}

function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error('unreachable');
}

/**
 * Realistic, valid and mutually consistent answers for the demo catalogue: unique MACs, extensions
 * and emails, direct numbers inside the number blocks it also fills, references to users that
 * exist, pickup groups that do not share extensions. Used to capture a whole acquisition in tests.
 */
export class DemoAnswers {
  private n: number;
  private readonly userExtensions = new Map<string, string>();
  private readonly pickupMembers = new Map<string, string[]>();

  /** `start` offsets the generated values, so that acquisitions in one database do not share MACs. */
  constructor(
    private readonly siteIds: string[],
    start = 0,
  ) {
    this.n = start;
  }

  private next(): number {
    this.n += 1;
    return this.n;
  }

  /** The extension given to a user record, once answered. */
  extensionOf(recordId: string): string {
    let ext = this.userExtensions.get(recordId);
    if (!ext) {
      ext = String(2000 + this.userExtensions.size + 1);
      this.userExtensions.set(recordId, ext);
    }
    return ext;
  }

  private readonly blocks = new Map<string, number>();

  /** Each number block record gets its own range of a thousand numbers. */
  private blockOf(recordId: string): number {
    if (!this.blocks.has(recordId)) this.blocks.set(recordId, this.blocks.size);
    return this.blocks.get(recordId)!;
  }

  private extensions(): string[] {
    return [...this.userExtensions.values()];
  }

  value(q: AskedQuestion): unknown {
    const k = this.next();
    const key = `${q.entity}.${q.field}`;
    switch (key) {
      case 'user.extension':
        return this.extensionOf(q.recordId);
      case 'user.directNumber':
        return `+4411349600${String(k % 100).padStart(2, '0')}`;
      case 'numberBlock.firstNumber':
        return `+44113496${this.blockOf(q.recordId)}000`;
      case 'numberBlock.lastNumber':
        return `+44113496${this.blockOf(q.recordId)}999`;
      case 'handset.assignedUser':
      case 'huntGroup.extension':
        return key === 'handset.assignedUser'
          ? this.extensions()[k % Math.max(1, this.extensions().length)]
          : String(3000 + k);
      case 'autoAttendant.extension':
        return String(3500 + k);
      case 'huntGroup.members':
      case 'handset.busyLampExtensions':
        return this.extensions().slice(0, 3);
      case 'pickupGroup.members': {
        let members = this.pickupMembers.get(q.recordId);
        if (!members) {
          const taken = new Set([...this.pickupMembers.values()].flat());
          members = this.extensions()
            .filter((e) => !taken.has(e))
            .slice(0, 2);
          this.pickupMembers.set(q.recordId, members);
        }
        return members;
      }
      case 'lanSubnet.subnet':
        return `10.${k % 250}.${Math.floor(k / 250)}.0/24`;
      case 'firewallRule.ports':
        return '443';
      case 'lanSubnet.vlanId':
        return 100 + (k % 3000);
      case 'mobileLine.numberToPort':
      case 'user.mobileTwinningNumber':
        return `+4479111${String(k % 100000).padStart(5, '0')}`;
      default:
        break;
    }
    if (q.enum) return q.enum[0];
    const site = q.site ?? this.siteIds[0]!;
    switch (q.format ?? '') {
      case 'e164':
        return `+44113496${String(1000 + (k % 9000)).padStart(4, '0')}`;
      case 'mac':
        return `80:5E:C0:${[16, 8, 0].map((s) => ((k >> s) & 255).toString(16).padStart(2, '0')).join(':')}`;
      case 'email':
        return `person${k}@harbourvale.example`;
      case 'extension':
        return String(4000 + k);
      case 'postcode':
        return 'LS1 4DL';
      case 'country':
        return 'GB';
      case 'time-zone':
        return 'Europe/London';
      case 'date':
        return '2027-01-18';
      case 'cidr':
        return `172.16.${k % 250}.0/24`;
      case 'ipv4':
        return `203.0.113.${k % 250}`;
      case 'iccid':
        return withCheckDigit(`89441100${String(k).padStart(10, '0')}`);
      case 'imei':
        return withCheckDigit(`35${String(k).padStart(12, '0')}`);
      case 'eid':
        return `890490320000010000000${String(k).padStart(11, '0')}`;
      default:
        break;
    }
    if (q.field === 'site' || q.field === 'emergencySite') return site;
    switch (q.type) {
      case 'boolean':
        return false;
      case 'integer':
      case 'number':
        return q.field === 'customerAsn'
          ? 64512
          : q.field === 'maxFrameSize'
            ? 1522
            : q.field.startsWith('extensionLength')
              ? 4
              : 3;
      case 'array':
        return q.field === 'numbers'
          ? ['+441134960500', '+441134960501']
          : q.field === 'signallingAddresses'
            ? ['203.0.113.10']
            : ['G.711a'];
      case 'string':
      case undefined:
        return `Answer-${k}`;
    }
  }
}
