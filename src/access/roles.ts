/** Staff roles. `admin` may do everything; the others are granted per route. */
export const ROLES = ['admin', 'sales', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the token's name and role. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** Roles that may read acquisitions, plans and the catalogue. */
export const READERS: readonly Role[] = ['admin', 'sales', 'engineer', 'viewer'];
/** Roles that may open acquisitions from proposals. */
export const OPENERS: readonly Role[] = ['admin', 'sales'];
/** Roles that may manage API tokens. */
export const ADMINS: readonly Role[] = ['admin'];

/** True when `role` is among `allowed` (admin always is). */
export function isAllowed(role: Role, allowed: readonly Role[]): boolean {
  return role === 'admin' || allowed.includes(role);
}
