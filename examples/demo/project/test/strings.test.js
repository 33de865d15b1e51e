import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capitalize, truncate } from '../src/strings.js';

test('capitalize upper-cases the first letter', () => {
  assert.equal(capitalize('hello'), 'Hello');
  assert.equal(capitalize(''), '');
});

test('truncate leaves short text alone', () => {
  assert.equal(truncate('short', 10), 'short');
});

test('truncate cuts long text with an ellipsis', () => {
  assert.equal(truncate('a long sentence', 6), 'a lon…');
});
