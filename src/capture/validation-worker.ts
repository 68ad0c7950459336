/**
 * A worker thread of the validation pool (see `validation-pool.ts`): prepares and evaluates the
 * shares of full validations it is sent, keeping each prepared share until its evaluation (or
 * the end of its pass). It holds no connection: the records come in the messages.
 */
import { parentPort } from 'node:worker_threads';
import type { Catalog } from '../catalog/model.js';
import { restoreKeyring } from '../secrets/sealing.js';
import { buildContext, type AcquisitionContext } from './acquisition-context.js';
import { packKeyTable, packVerdict, unpackRows } from './thread-messages.js';
import type { FromPoolWorker, ToPoolWorker } from './validation-pool.js';
import { evaluateShare, prepareShare, type PreparedShare } from './validation-share.js';

const port = parentPort!;
const catalogs = new Map<string, Catalog>();
/** Contexts by acquisition: they never change once an acquisition is open (as `ContextCache`). */
const contexts = new Map<string, AcquisitionContext>();
const shares = new Map<string, { ctx: AcquisitionContext; share: PreparedShare }>();
let keyring = '';

function contextOf(message: Extract<ToPoolWorker, { type: 'prepare' }>): AcquisitionContext {
  if (message.catalog) catalogs.set(message.catalog.versionId, message.catalog);
  const { acquisition } = message;
  let ctx = contexts.get(acquisition.id);
  if (!ctx) {
    ctx = buildContext(acquisition, catalogs.get(acquisition.catalogVersion)!);
    if (contexts.size >= 50) contexts.delete(contexts.keys().next().value!);
    contexts.set(acquisition.id, ctx);
  }
  return ctx;
}

function handle(message: ToPoolWorker): FromPoolWorker['result'] {
  switch (message.type) {
    case 'prepare': {
      const snapshot = JSON.stringify(message.keyring);
      if (snapshot !== keyring) restoreKeyring(message.keyring);
      keyring = snapshot;
      const ctx = contextOf(message);
      const { share, preparation } = prepareShare(ctx, unpackRows(message.rows), message.sites);
      shares.set(`${message.pass}/${message.share}`, { ctx, share });
      return { ...preparation, keys: packKeyTable(preparation.keys) };
    }
    case 'evaluate': {
      const key = `${message.pass}/${message.share}`;
      const { ctx, share } = shares.get(key)!;
      shares.delete(key);
      return packVerdict(
        evaluateShare(ctx, share, message.answers, message.inputs, message.opening),
      );
    }
    case 'end':
      for (const key of shares.keys()) if (key.startsWith(`${message.pass}/`)) shares.delete(key);
      return undefined;
  }
}

port.on('message', (message: ToPoolWorker) => {
  try {
    const result = handle(message);
    if (message.type !== 'end')
      port.postMessage({ id: message.id, result } satisfies FromPoolWorker);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (message.type !== 'end')
      port.postMessage({
        id: message.id,
        failure: { message: failure.message, stack: failure.stack },
      } satisfies FromPoolWorker);
  }
});
