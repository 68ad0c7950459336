/** Where a finding's pointer leads: the data tab at its record and field. */
export function parsePointer(pointer: string): { recordId: string; field: string } | null {
  const match = /^\/records\/([^/]+)(?:\/values\/([^/]+))?/.exec(pointer);
  if (!match) return null;
  return { recordId: decodeURIComponent(match[1]!), field: match[2] ?? '' };
}
