import { spawn } from 'node:child_process';
import { chmod, copyFile, rename, rm } from 'node:fs/promises';
import SQLite from 'better-sqlite3';
import { PRIVATE_FILE_MODE } from '../data-dir.js';
import { dialectOf } from './connect.js';

/** Where a backup comes from or a restore goes: the database URL, and on PostgreSQL one schema. */
export interface BackupTarget {
  url: string;
  /** PostgreSQL only: back up or restore this schema alone (default: the whole database). */
  schema?: string;
}

/** A backup or restore that could not be done; the message says why, without credentials. */
export class BackupError extends Error {}

const sqlitePath = (url: string) => url.slice('sqlite:'.length);

/**
 * Writes a consistent snapshot of the database to `file` while Intake keeps running.
 * SQLite: the online backup API, which copies every page including those still in the WAL.
 * PostgreSQL: `pg_dump --format=custom` (one snapshot transaction), restorable with pg_restore.
 * The file is created 0600: it holds everything, secrets encrypted, personal data in clear.
 */
export async function backupDatabase(target: BackupTarget, file: string): Promise<void> {
  if (dialectOf(target.url) === 'sqlite') {
    const source = new SQLite(sqlitePath(target.url), { readonly: true, fileMustExist: true });
    try {
      await source.backup(file);
    } finally {
      source.close();
    }
  } else {
    await run('pg_dump', [
      '--format=custom',
      '--no-owner',
      '--no-privileges',
      ...(target.schema ? [`--schema=${target.schema}`] : []),
      `--file=${file}`,
      `--dbname=${target.url}`,
    ]);
  }
  await chmod(file, PRIVATE_FILE_MODE);
}

/**
 * Replaces the database's contents with a backup's. Stop Intake first: a running node would keep
 * writing to what is being replaced.
 * SQLite: the backup is checked (integrity, an Intake schema) before the database file is swapped
 * for it in one rename, and the old WAL is removed, so a failed restore leaves the database as it was.
 * PostgreSQL: `pg_restore --clean --single-transaction`: all of it or nothing.
 */
export async function restoreDatabase(target: BackupTarget, file: string): Promise<void> {
  if (dialectOf(target.url) === 'sqlite') {
    checkSqliteBackup(file);
    const path = sqlitePath(target.url);
    const incoming = `${path}.restoring`;
    await copyFile(file, incoming);
    await chmod(incoming, PRIVATE_FILE_MODE);
    await rm(`${path}-wal`, { force: true });
    await rm(`${path}-shm`, { force: true });
    await rename(incoming, path);
    return;
  }
  await run('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    `--dbname=${target.url}`,
    file,
  ]);
}

function checkSqliteBackup(file: string): void {
  let backup: SQLite.Database;
  try {
    backup = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupError(`${file} cannot be opened as an SQLite database.`);
  }
  try {
    const integrity = backup.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged: ${String(integrity)}.`);
    const intake = backup
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'acquisitions'")
      .get();
    if (!intake) throw new BackupError(`${file} is not an Intake database backup.`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not an SQLite database.`);
  } finally {
    backup.close();
  }
}

/** Runs a PostgreSQL client tool; its own message (never the URL) on failure. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', () =>
      reject(new BackupError(`${command} could not be run: is the PostgreSQL client installed?`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new BackupError(
            `${command} failed (exit ${code}): ${stderr
              .replace(/postgres(ql)?:\/\/\S+/g, '<database>')
              .trim()
              .slice(0, 500)}`,
          ),
        );
    });
  });
}
