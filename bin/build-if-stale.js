#!/usr/bin/env node
// `npm start` runs this first: it builds the server and the web application only when a source
// is newer than the last build, so a start right after `npm ci` (whose `prepare` built both)
// takes seconds instead of a rebuild. Plain JavaScript, because it must run before dist/ exists.
//
//   node bin/build-if-stale.js            build when stale (npm run build), then write the stamp
//   node bin/build-if-stale.js --stamp    record that the build is current (the build script's last step)
//   node bin/build-if-stale.js --check    exit 0 when current, 1 when stale; builds nothing
//   --root DIR                            the project folder (default: this file's parent's parent)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP = join('dist', '.build-stamp');
/** Folders whose files the build reads; tests and test helpers are not built. */
const SOURCE_DIRS = ['src', 'web'];
/** Single files the build reads. */
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'test', 'dist']);

function newestSource(root) {
  let newest = 0;
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(path);
      } else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(root, dir));
  for (const file of SOURCE_FILES) {
    const path = join(root, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return true;
  return newestSource(root) > statSync(stamp).mtimeMs;
}

function writeStamp(root) {
  writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
}

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? args[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');

if (args.includes('--stamp')) {
  writeStamp(root);
} else if (args.includes('--check')) {
  process.exitCode = isStale(root) ? 1 : 0;
} else if (isStale(root)) {
  console.error('Sources are newer than the build: building (npm run build)…');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exitCode = built.status ?? 1;
}
