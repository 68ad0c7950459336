import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.js';
import { SNIFF_BYTES, sniffContentType, type AttachmentType } from './content-type.js';

/** A file streamed to disk, not yet kept: where it is and what it is. */
export interface ReceivedFile {
  path: string;
  size: number;
  sha256: string;
  /** From its first bytes; undefined when it is none of the accepted types. */
  contentType: AttachmentType | undefined;
}

/**
 * The bytes of file answers under the data folder: `attachments/<acquisition>/<attachment id>`,
 * files 0600 in folders 0700. A file arrives in `attachments/incoming/` while it is read and
 * hashed, and is moved to its place only once it has been accepted.
 */
export class AttachmentStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'attachments');
  }

  /** Streams a file to the incoming folder, hashing it and reading its type from its first bytes. */
  async receive(file: Readable): Promise<ReceivedFile> {
    const dir = join(this.root, 'incoming');
    await makePrivateDir(dir);
    const path = join(dir, randomUUID());
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let size = 0;
    try {
      await pipeline(
        file,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            if (head.length < SNIFF_BYTES)
              head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
            done(null, chunk);
          },
        }),
        createWriteStream(path, { mode: PRIVATE_FILE_MODE }),
      );
    } catch (error) {
      await this.discard(path);
      throw error;
    }
    return { path, size, sha256: hash.digest('hex'), contentType: sniffContentType(head) };
  }

  /** Moves an accepted file to its place. */
  async keep(received: ReceivedFile, acquisitionId: string, id: string): Promise<void> {
    const dir = join(this.root, safe(acquisitionId));
    await makePrivateDir(dir);
    await rename(received.path, join(dir, id));
  }

  /** Deletes a file that was refused or whose record could not be written. */
  async discard(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Deletes a kept file (when writing its record failed after it was moved). */
  async remove(acquisitionId: string, id: string): Promise<void> {
    await this.discard(this.pathOf(acquisitionId, id));
  }

  /** The bytes of a kept file. */
  open(acquisitionId: string, id: string): ReadStream {
    return createReadStream(this.pathOf(acquisitionId, id));
  }

  private pathOf(acquisitionId: string, id: string): string {
    return join(this.root, safe(acquisitionId), safe(id));
  }
}

/** Ids come from Intake, but a path is built from them: nothing but a file name gets through. */
function safe(id: string): string {
  if (!/^[\w-]+$/.test(id)) throw new Error(`not an id usable in a path: ${id}`);
  return id;
}
