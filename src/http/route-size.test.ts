import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** A handler may hold this many lines inside its braces: parse, call one service method, present. */
const MOST_LINES = 15;
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'route']);
const SRC = join(import.meta.dirname, '..');

/** The files that declare routes: every `routes.ts`, every `*-routes.ts` and the quote listener. */
function routeFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    const isRoutes = entry.name === 'routes.ts' || entry.name.endsWith('-routes.ts');
    return isRoutes || relative(SRC, path) === join('proposals', 'quote-listener.ts') ? [path] : [];
  });
}

interface Handler {
  file: string;
  line: number;
  path: string;
  bodyLines: number;
}

/** The lines of a handler's body: those between its braces, or those of an expression body. */
function bodyLinesOf(source: ts.SourceFile, handler: ts.FunctionLikeDeclaration): number {
  const body = handler.body!;
  const first = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
  const last = source.getLineAndCharacterOfPosition(body.getEnd()).line;
  return ts.isBlock(body) ? last - first - 1 : last - first + 1;
}

/** Every `<anything>.get|post|put|patch|delete|route(…, handler)` call of a file. */
function handlersOf(file: string, text: string = readFileSync(file, 'utf8')): Handler[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Handler[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ROUTE_METHODS.has(node.expression.name.text)
    ) {
      const handler = node.arguments.at(-1);
      if (handler && (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler))) {
        const path = node.arguments[0];
        found.push({
          file: relative(SRC, file),
          line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
          path: path ? path.getText(source) : '?',
          bodyLines: bodyLinesOf(source, handler),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('route handlers', () => {
  it('finds the route files and their handlers', () => {
    const files = routeFiles();
    expect(files.map((f) => relative(SRC, f))).toContain(join('spreadsheets', 'routes.ts'));
    expect(files.flatMap((f) => handlersOf(f)).length).toBeGreaterThan(50);
  });

  it('counts the lines inside a handler body, whatever the receiver', () => {
    const text = [
      "server.route('/a', async () => {",
      ...Array.from({ length: MOST_LINES + 1 }, (_, i) => `  const x${i} = ${i};`),
      '});',
      "app.get('/b', (request) => request.id);",
    ].join('\n');
    expect(handlersOf('example-routes.ts', text)).toMatchObject([
      { path: "'/a'", bodyLines: MOST_LINES + 1 },
      { path: "'/b'", bodyLines: 1 },
    ]);
  });

  it(`hold at most ${MOST_LINES} lines: parse the request, call a service, present`, () => {
    const tooLong = routeFiles()
      .flatMap((f) => handlersOf(f))
      .filter((h) => h.bodyLines > MOST_LINES)
      .map((h) => `${h.bodyLines} lines: ${h.file}:${h.line} ${h.path}`);
    expect(tooLong).toEqual([]);
  });
});
