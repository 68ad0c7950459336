import { AppError } from '../errors.js';

/** The refusals of the hubs and the deliveries. */
export const notificationErrors = {
  badCallback: (callback: string) =>
    new AppError(
      'hub.callback-invalid',
      400,
      `The callback "${callback.slice(0, 200)}" is not an http:// or https:// URL.`,
      [{ pointer: '/callback', detail: 'must be an absolute http:// or https:// URL' }],
    ),
  forbiddenCallback: (host: string) =>
    new AppError(
      'hub.callback-forbidden',
      422,
      `The callback's host "${host.slice(0, 200)}" is or resolves to an address Intake may not call (loopback, private, link-local, unique-local, multicast or reserved); an operator can allow it with INTAKE_CALLBACK_ALLOW.`,
      [{ pointer: '/callback', detail: 'must reach a public address' }],
    ),
  unresolvableCallback: (host: string) =>
    new AppError(
      'hub.callback-unresolvable',
      422,
      `The callback's host "${host.slice(0, 200)}" does not resolve to any address.`,
      [{ pointer: '/callback', detail: 'must name a host that resolves' }],
    ),
  subscriptionNotFound: (id: string) =>
    new AppError('hub.not-found', 404, `There is no subscription "${id}" on this hub.`),
  deliveryNotFound: (id: string) =>
    new AppError('delivery.not-found', 404, `There is no dead delivery "${id}" to replay.`),
};
