import { PassThrough, type Readable } from 'node:stream';
import type { Principal } from '../access/roles.js';
import type { ImportJob } from './import-repository.js';
import type { ImportService } from './import-service.js';
import type { ImportViews } from './import-views.js';

/** How often a job another node runs is read again for its progress. */
const STORED_POLL_MS = 1000;

/** The connection a stream is sent on: it tells when the client goes away. */
export interface Connection {
  on(event: 'close', listener: () => void): unknown;
}

/**
 * An import's progress as server-sent events: `progress` with the rows read so far (at once, then
 * as the job reads), and `done` with the finished job, after which the stream ends. A job that has
 * already finished gets its `done` at once; one another node runs is followed in the database.
 * Listeners go when the client disconnects.
 */
export class ImportEvents {
  constructor(
    private readonly imports: ImportService,
    private readonly views: ImportViews,
  ) {}

  async open(
    principal: Principal,
    acquisitionId: string,
    importId: string,
    connection: Connection,
  ): Promise<Readable> {
    const job = await this.views.jobOf(principal, acquisitionId, importId);
    const stream = new PassThrough();
    const send = (event: string, data: unknown) =>
      stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const finish = (finished: ImportJob) => {
      send('done', finished);
      stream.end();
    };
    const progress = job.status === 'running' ? this.imports.progressOf(job.id) : undefined;
    if (!progress && job.status === 'running' && this.imports.lease) {
      // Running on another node: its rows read and its end are read from the database.
      send('progress', { rowsRead: job.rowsRead, status: 'running' });
      let rowsRead = job.rowsRead;
      const timer = setInterval(() => {
        void this.views.jobOf(principal, job.acquisitionId, job.id).then(
          (stored) => {
            if (stored.status !== 'running') {
              clearInterval(timer);
              finish(stored);
            } else if (stored.rowsRead !== rowsRead) {
              rowsRead = stored.rowsRead;
              send('progress', { rowsRead, status: 'running' });
            }
          },
          () => {
            clearInterval(timer);
            stream.end();
          },
        );
      }, STORED_POLL_MS);
      const stop = () => clearInterval(timer);
      stream.on('close', stop);
      connection.on('close', () => {
        stop();
        stream.end();
      });
      return stream;
    }
    if (!progress) {
      // Finished, perhaps between reading the job and now: send it as it is stored.
      const stored =
        job.status === 'running'
          ? await this.views.jobOf(principal, job.acquisitionId, job.id)
          : job;
      finish(stored);
      return stream;
    }
    const onProgress = (p: unknown) => send('progress', p);
    send('progress', progress);
    this.imports.events.on(`progress:${job.id}`, onProgress);
    this.imports.events.once(`done:${job.id}`, finish);
    const stop = () => {
      this.imports.events.off(`progress:${job.id}`, onProgress);
      this.imports.events.off(`done:${job.id}`, finish);
    };
    stream.on('close', stop);
    connection.on('close', () => {
      stop();
      stream.end();
    });
    return stream;
  }
}
