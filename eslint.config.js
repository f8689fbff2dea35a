import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'scratch/',
      'coverage/',
      'test-output/',
      'clients/typescript/dist/',
      'clients/typescript/src/schema.ts',
      'clients/hey-api/src/',
      'clients/hey-api/dist/',
      'examples/web/dist/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // Type-aware rules: each .ts file is checked with the tsconfig.json nearest to it (the root
    // one, or clients/typescript's for the client).
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // node:test collects describe/it itself and reports their failures; awaiting them is
      // not how the runner is meant to be used. Subtests through `t.test` stay checked.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'suite', 'test'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // require-await stays off: here an `async` without `await` is a method that fulfils a
      // Promise-returning contract (the in-process counter store, throttler overrides, test fakes).
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Configuration is read in src/config only; inject it instead.' },
      ],
    },
  },
  {
    // Plain JavaScript (bench/, scripts/, this file) belongs to no tsconfig: linted without types.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['bench/**'],
    languageOptions: { globals: { fetch: 'readonly', performance: 'readonly', TextEncoder: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    files: ['src/config/**', 'test/**', 'scripts/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
