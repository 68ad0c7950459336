import { closeSync, mkdirSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';

/**
 * Files under the data folder (the SQLite database, uploads, staged rows, reports) hold customer
 * data: only the user Intake runs as may read them. Every file there is created with this mode…
 */
export const PRIVATE_FILE_MODE = 0o600;
/** …and every folder with this one. */
export const PRIVATE_DIR_MODE = 0o700;

/** Creates a folder (and its missing parents) that only Intake's user may enter. */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes sure a file exists before a library opens it with its own (world-readable) mode: creates
 * it empty with `PRIVATE_FILE_MODE`, in a private folder, unless it is already there.
 */
export function createPrivateFileSync(path: string, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}
