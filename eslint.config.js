import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'data/', 'scratch/', 'coverage/', 'test-output/', 'clients/typescript/dist/', 'clients/typescript/src/schema.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Configuration is read in src/config only; inject it instead.' },
      ],
    },
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
