// Hidden acceptance tests: they live beside the spec, never in the entrants' copies of the repository.
// The referee copies them into test/acceptance/ of its own clean copy and runs them there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../../src/strings.js';

test('acceptance: punctuation and spaces collapse to single dashes', () => {
  assert.equal(slugify('Hello, World!'), 'hello-world');
  assert.equal(slugify('a  --  b'), 'a-b');
});

test('acceptance: no leading or trailing dashes', () => {
  assert.equal(slugify('  ¡Hola!  '), 'hola');
});

test('acceptance: accents are removed', () => {
  assert.equal(slugify('Crème brûlée'), 'creme-brulee');
  assert.equal(slugify('Ångström über café'), 'angstrom-uber-cafe');
});

test('acceptance: digits are kept', () => {
  assert.equal(slugify('Top 10 Tips'), 'top-10-tips');
});
