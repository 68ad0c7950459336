// @ts-check
import js from '@eslint/js';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** @type {(id: string) => string[]} */
const load = createRequire(import.meta.url);
const pureCore = load('./pure-core.cjs');
/** The pure core's files (pure-core.cjs), for the rule that keeps the clock out of them. */
const pureFiles = readdirSync(join(import.meta.dirname, 'src'), { recursive: true })
  .map((f) => relative(import.meta.dirname, join(import.meta.dirname, 'src', String(f))))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter((f) => pureCore.some((pattern) => new RegExp(pattern).test(f)));
const noDefaultExport = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' };
const noClock = 'The pure core takes the time as an argument: no clock and no randomness.';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'bin/', '*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins and handlers are async by contract, awaited or not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noDefaultExport],
    },
  },
  {
    files: pureFiles,
    rules: {
      'no-restricted-syntax': [
        'error',
        noDefaultExport,
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: noClock },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: noClock,
        },
        {
          selector: "MemberExpression[object.name='performance'][property.name='now']",
          message: noClock,
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: noClock,
        },
        {
          selector:
            "CallExpression[callee.object.name='crypto'][callee.property.name='randomUUID']",
          message: noClock,
        },
        { selector: "CallExpression[callee.name='randomUUID']", message: noClock },
      ],
    },
  },
  {
    // The two classic hook rules; the React Compiler's rules are for code the compiler builds.
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-syntax': [
        'error',
        noDefaultExport,
        {
          // The pages run on Preact, which leaves `autoFocus` to the browser, and the browser
          // honours it only while the page loads (web/src/components/focus-on-mount.ts).
          selector: "JSXOpeningElement[name.name=/^[a-z]/] > JSXAttribute[name.name='autoFocus']",
          message: 'Use ref={focusOnMount}: autoFocus works only while the page loads.',
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts', 'web/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
