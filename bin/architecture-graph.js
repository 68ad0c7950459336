#!/usr/bin/env node
// The picture of docs/architecture.md: the folders under src/ and which depend on which, drawn
// from the same cruise that checks the import rules (.dependency-cruiser.cjs), so that it cannot
// drift from the code.
//
//   node bin/architecture-graph.js           rewrite the chart between the markers in docs/architecture.md
//   node bin/architecture-graph.js --check   exit 1 when the chart there is not the code's (npm run lint)
//
// An arrow A --> B says that code in A imports B. Arrows implied by others (A --> B --> C makes
// A --> C) are left out, so the chart shows the layers; the full list is in the cruise itself.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(root, 'docs', 'architecture.md');
const START = '<!-- architecture-graph:start (bin/architecture-graph.js writes this chart) -->';
const END = '<!-- architecture-graph:end -->';

/** src/<folder>/… → folder; a file directly in src/ is the root (config, errors, the server). */
function folderOf(path) {
  const parts = path.split('/');
  return parts.length > 2 ? parts[1] : null;
}

function folderGraph() {
  const json = execFileSync(
    join(root, 'node_modules', '.bin', 'depcruise'),
    ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--no-progress'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
  );
  const { modules } = JSON.parse(json);
  const edges = new Map();
  for (const m of modules) {
    const from = m.source.startsWith('src/') ? folderOf(m.source) : null;
    if (!from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    for (const d of m.dependencies) {
      const to = d.resolved.startsWith('src/') ? folderOf(d.resolved) : null;
      if (to && to !== from) edges.get(from).add(to);
    }
  }
  return edges;
}

/** Whether `to` can be reached from `from` without the direct arrow between them. */
function reachableOtherwise(edges, from, to) {
  const seen = new Set();
  const stack = [...edges.get(from)].filter((n) => n !== to);
  while (stack.length) {
    const n = stack.pop();
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const next of edges.get(n) ?? []) stack.push(next);
  }
  return false;
}

function chart() {
  const edges = folderGraph();
  const lines = ['```mermaid', 'flowchart TD'];
  for (const from of [...edges.keys()].sort()) {
    const targets = [...edges.get(from)].sort();
    if (targets.length === 0) lines.push(`  ${from}`);
    for (const to of targets)
      if (!reachableOtherwise(edges, from, to)) lines.push(`  ${from} --> ${to}`);
  }
  lines.push('```');
  return lines.join('\n');
}

const doc = readFileSync(DOC, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END);
if (start < 0 || end < start) {
  console.error(`${DOC} has no chart markers (${START} … ${END})`);
  process.exit(1);
}
const next = `${doc.slice(0, start + START.length)}\n\n${chart()}\n\n${doc.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== doc) {
    console.error(
      "docs/architecture.md: the folder chart is not the code's; run `npm run architecture:graph`",
    );
    process.exit(1);
  }
} else {
  writeFileSync(DOC, next);
}
