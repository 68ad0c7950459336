import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startListener, startRedirector } from '../test/listener.js';
import { EMPTY_ALLOW_LIST, parseCallbackAllow } from './address-policy.js';
import { callbackPolicy, checkCallback, type Resolve } from './callback-guard.js';
import { JsonPoster } from './post-json.js';

const LOOPBACK = parseCallbackAllow('127.0.0.0/8').list;
/** A resolver that answers from a table and never asks the network. */
const fakeDns =
  (table: Record<string, string[]>): Resolve =>
  (host) => {
    const addresses = table[host];
    if (!addresses) return Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
/** The port of a listener's URL. */
const portOf = (url: string) => new URL(url).port;

describe('checking a callback before subscribing', () => {
  const dns = fakeDns({
    'hooks.example': ['93.184.216.34'],
    'inside.example': ['10.0.0.7'],
    'mixed.example': ['93.184.216.34', '127.0.0.1'],
    'v6.example': ['2606:4700::1111'],
  });
  const check = (url: string, allow = EMPTY_ALLOW_LIST) =>
    checkCallback(new URL(url), callbackPolicy(allow, dns));

  it('allows a host whose every address is public, and refuses one with any that is not', async () => {
    expect(await check('https://hooks.example/x')).toBe('allowed');
    expect(await check('https://v6.example/x')).toBe('allowed');
    expect(await check('https://inside.example/x')).toBe('forbidden');
    expect(await check('https://mixed.example/x')).toBe('forbidden');
    expect(await check('https://nowhere.example/x')).toBe('unresolvable');
    expect(await check('https://inside.example/x', parseCallbackAllow('10.0.0.0/8').list)).toBe(
      'allowed',
    );
    expect(await check('https://inside.example/x', parseCallbackAllow('inside.example').list)).toBe(
      'allowed',
    );
  });

  it('judges literal addresses in any notation without resolving them', async () => {
    const never: Resolve = () => Promise.reject(new Error('must not resolve a literal'));
    for (const url of [
      'http://127.0.0.1/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://017700000001/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest',
      'http://10.0.0.1/',
      'http://[fd00::1]/',
    ])
      expect(await checkCallback(new URL(url), callbackPolicy(EMPTY_ALLOW_LIST, never)), url).toBe(
        'forbidden',
      );
    expect(await checkCallback(new URL('http://127.0.0.1/'), callbackPolicy(LOOPBACK, never))).toBe(
      'allowed',
    );
  });

  it('refuses localhost as the system resolver answers it (from /etc/hosts)', async () => {
    expect(
      await checkCallback(new URL('http://localhost/'), callbackPolicy(EMPTY_ALLOW_LIST)),
    ).toBe('forbidden');
  });
});

describe('posting to a callback', () => {
  const poster = new JsonPoster();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(() => poster.close());
  const post = (url: string, resolve: Resolve, allow = EMPTY_ALLOW_LIST) =>
    poster.post(url, {
      headers: { 'content-type': 'application/json' },
      body: '{"secret":"payload"}',
      timeoutMs: 2000,
      policy: callbackPolicy(allow, resolve),
    });

  it('connects only to the addresses it checked: a name rebound to loopback is refused before connecting', async () => {
    const listener = await startListener();
    closers.push(listener.close);
    const port = portOf(listener.url);
    // The subscription saw a public address; at delivery the name answers loopback.
    let answer = ['93.184.216.34'];
    const rebinding: Resolve = () => fakeDns({ 'rebind.example': answer })('rebind.example');
    expect(
      await checkCallback(
        new URL(`http://rebind.example:${port}/`),
        callbackPolicy(EMPTY_ALLOW_LIST, rebinding),
      ),
    ).toBe('allowed');
    answer = ['127.0.0.1'];
    expect(await post(`http://rebind.example:${port}/callback`, rebinding)).toEqual({
      failure: 'forbidden',
    });
    answer = ['127.0.0.1', '93.184.216.34'];
    expect(await post(`http://rebind.example:${port}/callback`, rebinding)).toEqual({
      failure: 'forbidden',
    });
    expect(await post(listener.url, rebinding)).toEqual({ failure: 'forbidden' });
    expect(listener.received).toHaveLength(0);

    // Allowed, the connection goes to the address the policy resolved (the system knows no such name).
    answer = ['127.0.0.1'];
    const result = await post(`http://rebind.example:${port}/callback`, rebinding, LOOPBACK);
    expect(result).toEqual({ status: 201, text: '' });
    expect(listener.received.map((r) => r.body)).toEqual(['{"secret":"payload"}']);
  });

  it('follows no redirect: a 302 is the answer, and its target receives nothing', async () => {
    const target = await startListener();
    closers.push(target.close);
    const redirector = await startRedirector(target.url);
    closers.push(redirector.close);
    const result = await post(redirector.url, fakeDns({}), LOOPBACK);
    expect(result).toMatchObject({ status: 302 });
    expect(target.received).toHaveLength(0);
  });

  it('says only "unreachable" when nothing listens, whatever the socket error', async () => {
    const listener = await startListener();
    const url = listener.url;
    await listener.close();
    expect(await post(url, fakeDns({}), LOOPBACK)).toEqual({ failure: 'unreachable' });
    expect(await post('http://nowhere.example/', fakeDns({}), LOOPBACK)).toEqual({
      failure: 'unreachable',
    });
  });
});
