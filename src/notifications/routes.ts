import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ADMINS, SUBSCRIBERS } from '../access/roles.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, errorAnswers } from '../http/schemas.js';
import type { CallbackPolicy } from './callback-guard.js';
import type { HubApi } from './envelope.js';
import { HubSubscriptions } from './hub-subscriptions.js';
import { notificationErrors } from './notification-errors.js';
import type { SubscriptionRepository } from './subscriptions.js';

export interface HubRoutesOptions {
  api: HubApi;
  subscriptions: SubscriptionRepository;
  requireRole: RequireRole;
  now: () => Date;
  /** Which addresses a callback may resolve to (INTAKE_CALLBACK_ALLOW opens private ones). */
  callbackPolicy: CallbackPolicy;
}

const EventSubscriptionInput = Type.Object(
  {
    callback: Type.String({ minLength: 1, maxLength: 2000 }),
    query: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: true },
);
const EventSubscription = Type.Object({
  id: Type.String(),
  callback: Type.String(),
  query: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String()),
});

/**
 * A TMF hub (`POST /hub`, `DELETE /hub/{id}`): registers a listener's callback. The answer carries
 * the subscription's `secret` once, the key of the `X-Intake-Signature` HMAC on every notification.
 * A callback whose host is or resolves to a non-public address is refused (422) unless the allow
 * list opens it; the relay checks again at each delivery.
 */
export const hubRoutes: FastifyPluginAsyncTypebox<HubRoutesOptions> = async (
  app,
  { api, subscriptions, requireRole, now, callbackPolicy },
) => {
  const security = [{ bearerAuth: [] }];
  const hub = new HubSubscriptions(api, subscriptions, callbackPolicy, now);
  app.post(
    '/hub',
    {
      onRequest: requireRole(SUBSCRIBERS),
      schema: {
        tags: ['notifications'],
        summary: `Subscribe a listener to the ${api} events`,
        security,
        body: EventSubscriptionInput,
        response: { 201: EventSubscription, ...errorAnswers(api !== 'intake', 400, 422) },
      },
    },
    async (request, reply) => {
      const subscription = await hub.subscribe(request.body, principalOf(request).name);
      void reply.header('location', `${request.url.replace(/\/$/, '')}/${subscription.id}`);
      return reply.status(201).send(subscription);
    },
  );

  app.delete(
    '/hub/:id',
    {
      onRequest: requireRole(SUBSCRIBERS),
      schema: {
        tags: ['notifications'],
        summary: 'Remove a subscription',
        security,
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null(), ...errorAnswers(api !== 'intake', 404) },
      },
    },
    async (request, reply) => {
      if (!(await subscriptions.remove(api, request.params.id, now().toISOString())))
        throw notificationErrors.subscriptionNotFound(request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/** The deliveries of the outbox: list them by status, and replay a dead one (admin). */
export const deliveryRoutes: FastifyPluginAsyncTypebox<{
  subscriptions: SubscriptionRepository;
  requireRole: RequireRole;
  now: () => Date;
}> = async (app, { subscriptions, requireRole, now }) => {
  const security = [{ bearerAuth: [] }];
  app.get(
    '/deliveries',
    {
      onRequest: requireRole(ADMINS),
      schema: {
        tags: ['notifications'],
        summary: 'Deliveries of events to subscribers, by status (dead ones need attention)',
        security,
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['pending', 'delivered', 'dead'])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { ...authErrors },
      },
    },
    async (request) => ({ items: await subscriptions.deliveries(request.query) }),
  );

  app.post(
    '/deliveries/:id/replay',
    {
      onRequest: requireRole(ADMINS),
      schema: {
        tags: ['notifications'],
        summary: 'Send a dead delivery again, with a fresh count of attempts',
        security,
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: {
          202: Type.Object({ id: Type.String(), status: Type.String() }),
          404: Type.Ref('Problem'),
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      if (!(await subscriptions.replay(request.params.id, now().toISOString())))
        throw notificationErrors.deliveryNotFound(request.params.id);
      return reply.status(202).send({ id: request.params.id, status: 'pending' });
    },
  );
};
