import { Type, type Static } from 'typebox';

/**
 * The customer links API's answers, in TypeBox: the server serialises and documents them with
 * these, and the web application takes their types. Nothing here may import the server's runtime.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** A customer link, without its token (which is shown once, when it is issued). */
export const CustomerLinkSchema = Type.Object({
  id: Type.String(),
  acquisitionId: Type.String(),
  contactName: Type.String(),
  contactEmail: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  submittedAt: Nullable(Type.String()),
  firstUsedAt: Nullable(Type.String({ description: 'When the customer first opened the link.' })),
  emailedAt: Nullable(Type.String()),
});
export type CustomerLink = Static<typeof CustomerLinkSchema>;

/** A link just issued: with its token and the portal address to send the customer. */
export const IssuedLinkSchema = Type.Intersect([
  CustomerLinkSchema,
  Type.Object({ token: Type.String(), url: Type.String() }),
]);
export type IssuedLink = Static<typeof IssuedLinkSchema>;

/** An acquisition's customer links, and whether they can be sent by email here. */
export const CustomerLinkListSchema = Type.Object({
  items: Type.Array(CustomerLinkSchema),
  emailAvailable: Type.Boolean({
    description: 'Whether links can be sent by email here (INTAKE_SMTP_URL is set).',
  }),
});
export type CustomerLinkList = Static<typeof CustomerLinkListSchema>;
