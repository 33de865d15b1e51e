import { describe, expect, it } from 'vitest';
import { compareTestFiles } from '../../src/checks/test-compare.js';
import { parsePyTestFiles } from '../../src/checks/test-parse-py.js';

async function findings(base: string, head: string) {
  const [b, h] = await parsePyTestFiles([base, head]);
  return compareTestFiles('tests/test_cart.py', b!, h!).findings.map((f) => `${f.severity} ${f.kind}`);
}

const PYTEST = `import pytest
from cart import total, parse

RATES = [0.0, 0.1, 0.2]

@pytest.mark.parametrize("items,expected", [([1, 2], 3), ([], 0), ([5], 5)])
def test_total(items, expected):
    assert total(items) == expected

def test_parse():
    result = parse("a=1")
    assert result == {"a": 1}
    assert isinstance(result, dict)
    with pytest.raises(ValueError):
        parse("=")
`;

const UNITTEST = `import unittest

class TestCart(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([1, 2]), 3)
        self.assertIn("a", parse("a=1"))

    def test_empty(self):
        self.assertIsNone(first([]))
`;

describe('test edits (Python)', () => {
  it('finds nothing when a case and a parametrize row are added', async () => {
    const head = PYTEST.replace('([5], 5)]', '([5], 5), ([2, 2], 4)]') + '\ndef test_negative():\n    assert total([-1]) == -1\n';
    expect(await findings(PYTEST, head)).toEqual([]);
  });

  it.each([
    ['removed test function', PYTEST.replace(/def test_parse\(\):[\s\S]*$/, ''), 'gate test-case-removed'],
    ['removed assert', PYTEST.replace('    assert isinstance(result, dict)\n', ''), 'gate assertion-removed'],
    ['assert == -> assert truthy', PYTEST.replace('assert result == {"a": 1}', 'assert result'), 'gate assertion-loosened'],
    ['skip decorator', PYTEST.replace('def test_parse', '@pytest.mark.skip(reason="flaky")\ndef test_parse'), 'gate skip-added'],
    ['parametrize row removed', PYTEST.replace(', ([], 0)', ''), 'gate inputs-narrowed'],
    ['module fixture narrowed', PYTEST.replace('[0.0, 0.1, 0.2]', '[0.0]'), 'gate inputs-narrowed'],
    ['try/except around an assert', PYTEST.replace('    assert result == {"a": 1}\n', '    try:\n        assert result == {"a": 1}\n    except AssertionError:\n        pass\n'), 'gate assertion-neutralised'],
  ])('pytest: %s', async (_name, head, expected) => {
    expect(await findings(PYTEST, head)).toContain(expected);
  });

  it.each([
    ['assertEqual -> assertTrue', UNITTEST.replace('self.assertEqual(total([1, 2]), 3)', 'self.assertTrue(total([1, 2]))'), 'gate assertion-loosened'],
    ['assertIsNone -> assertFalse', UNITTEST.replace('self.assertIsNone(first([]))', 'self.assertFalse(first([]))'), 'gate assertion-loosened'],
    ['removed self.assert', UNITTEST.replace('        self.assertIn("a", parse("a=1"))\n', ''), 'gate assertion-removed'],
    ['removed method', UNITTEST.replace(/\n {4}def test_empty[\s\S]*$/, '\n'), 'gate test-case-removed'],
    ['unittest.skip', UNITTEST.replace('    def test_empty', '    @unittest.skip("later")\n    def test_empty'), 'gate skip-added'],
  ])('unittest: %s', async (_name, head, expected) => {
    expect(await findings(UNITTEST, head)).toContain(expected);
  });

  it('reads assertTrue -> assertEqual as strengthening, not a finding', async () => {
    const base = UNITTEST.replace('self.assertEqual(total([1, 2]), 3)', 'self.assertTrue(total([1, 2]))');
    expect(await findings(base, UNITTEST)).toEqual([]);
  });

  it('does not let an ast-grep-ignore comment hide an assert', async () => {
    const head = PYTEST.replace('    assert isinstance(result, dict)\n', '    # ast-grep-ignore\n    assert isinstance(result, dict)\n');
    expect(await findings(PYTEST, head)).toEqual([]);
  });
});
