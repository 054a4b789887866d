// ESLint flat config. The determinism block is the one that matters most: below src/ui and
// src/host nothing may read the wall clock, schedule real timers or draw unseeded randomness,
// because a run must replay identically from its seed (see ../shared/design.md, Determinism).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** A layer that may import nothing outside its own folder (and not its sibling pure layer). */
function pureLayer(folder, sibling, message) {
  const outside = ['server', 'storage', 'sim', 'host', 'ui'].map((l) => `**/${l}/**`);
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [`**/${sibling}`, `**/${sibling}/**`, ...outside, 'react', 'idb', 'comlink'],
              message,
            },
          ],
        },
      ],
    },
  };
}

const wallClockMessage =
  'Determinism: simulated time only below src/ui and src/host (use the conductor clock or the seeded PRNG).';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'coverage/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.tsx', 'src/ui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Determinism: everything under src/ except the UI and the hosts.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/ui/**', 'src/host/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: wallClockMessage },
        { name: 'performance', message: wallClockMessage },
        { name: 'setTimeout', message: wallClockMessage },
        { name: 'setInterval', message: wallClockMessage },
        { name: 'setImmediate', message: wallClockMessage },
        { name: 'requestAnimationFrame', message: wallClockMessage },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: wallClockMessage },
        { object: 'globalThis', property: 'Date', message: wallClockMessage },
        { object: 'globalThis', property: 'performance', message: wallClockMessage },
        { object: 'globalThis', property: 'setTimeout', message: wallClockMessage },
        { object: 'self', property: 'setTimeout', message: wallClockMessage },
        { object: 'window', property: 'setTimeout', message: wallClockMessage },
        { object: 'crypto', property: 'getRandomValues', message: wallClockMessage },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.value='random']",
          message: wallClockMessage,
        },
      ],
    },
  },
  // Layering: raft and mvcc are pure and know nothing of each other, the browser or the hosts.
  pureLayer(
    'raft',
    'mvcc',
    'src/raft is a pure state machine: it imports nothing outside src/raft.',
  ),
  pureLayer('mvcc', 'raft', 'src/mvcc is a pure store: it imports nothing outside src/mvcc.'),
);
