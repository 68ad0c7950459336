import { Type, type Static } from 'typebox';
import { ROLES } from './roles.js';

/**
 * The access API's answers, in TypeBox: the server serialises and documents them with these, and
 * the web application takes their types. Nothing here may import the server's runtime.
 */

/** Who the bearer token belongs to: name and role, or the acquisition of a customer link. */
export const SessionSchema = Type.Object({
  name: Type.String(),
  role: Type.Enum([...ROLES]),
  link: Type.Optional(Type.Object({ acquisitionId: Type.String() })),
});
export type Session = Static<typeof SessionSchema>;
