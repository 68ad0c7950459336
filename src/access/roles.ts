/** Staff roles. `admin` may do everything; the others are granted per route. */
export const ROLES = ['admin', 'sales', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a staff token (name and role) or a customer link (scoped to one acquisition). */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** Set for a customer link: the only acquisition it may reach, and only its customer-owned fields. */
  link?: { acquisitionId: string };
}

/** Roles that may write records (customer links write their own fields too). */
export const WRITERS: readonly Role[] = ['admin', 'sales', 'engineer'];
/** Roles that may approve and hand over. */
export const APPROVERS: readonly Role[] = ['admin', 'engineer'];

/**
 * Roles that may subscribe a callback to a hub. Intake's own hub pushes every captured value and
 * each handover's whole ProductOrder, of every acquisition, to a URL outside Intake: only the roles
 * that take the handover (approve it, receive its order and exports) may have that sent elsewhere.
 * The TMF629 and TMF632 hubs carry the customer records these same roles may change.
 */
export const SUBSCRIBERS: readonly Role[] = ['admin', 'engineer'];

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

/**
 * What a caller may do, by role, for the web application to offer only what the server would
 * allow (the server checks again on every request).
 */
export const can = {
  write: (who: { role: Role }) => isAllowed(who.role, WRITERS),
  approve: (who: { role: Role }) => isAllowed(who.role, APPROVERS),
  open: (who: { role: Role }) => isAllowed(who.role, OPENERS),
};
