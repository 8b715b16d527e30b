// The linter that `npm test` runs (check "lint"): eslint's and typescript-eslint's recommended
// rules over every hand-written source file. Type-aware rules are left out on purpose: `tsc -b`
// already type-checks, and a typed lint of the whole tree would cost a minute of the suite's
// 20-minute budget. Formatting is prettier's job (check "format"); the only layout rule here is
// the hard line limit, which prettier does not enforce on strings and comments.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Generated: scripts/gen-protos.mjs writes gen/ and the three type indexes.
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/*/src/gen/**',
      'packages/schema/src/types.ts',
      'packages/schema/src/events.ts',
      'packages/csi/src/types.ts',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'max-len': ['error', { code: 160, ignoreUrls: true }],
      // `_`-prefixed names say "deliberately unused" (a callback's fixed parameters, a destructured rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['packages/ui/web/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
