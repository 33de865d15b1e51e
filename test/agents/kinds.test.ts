import { describe, expect, it } from 'vitest';
import { runKinds, sandboxImageContents, withTagSuffix } from '../../src/agents/kinds.js';
import { TourneyError } from '../../src/errors.js';

describe('agent kinds and the sandbox image', () => {
  it('always includes opencode (the judge), once, whatever the entrants use', () => {
    expect(runKinds([{ agent: 'command' }, { agent: 'opencode' }, { agent: 'command' }])).toEqual(['command', 'opencode']);
    expect(runKinds([])).toEqual(['opencode']);
  });

  it('keeps the configured tag for kinds that add no file, and carries opencode\'s binary with its version', () => {
    const plain = sandboxImageContents('tourney-sandbox:local', ['opencode']);
    const withCommand = sandboxImageContents('tourney-sandbox:local', ['command', 'opencode']);
    expect(plain.tag).toBe('tourney-sandbox:local');
    expect(withCommand).toEqual(plain);
    expect(plain.files.map((f) => f.imagePath)).toEqual(['/usr/local/bin/opencode']);
    expect(plain.buildArgs.OPENCODE_VERSION).toBe(plain.files[0]!.version);
  });

  it('suffixes the tag after the extra kinds, for a name with or without a tag or a registry port', () => {
    expect(withTagSuffix('tourney-sandbox:local', 'claude-code-codex')).toBe('tourney-sandbox:local-claude-code-codex');
    expect(withTagSuffix('registry:5000/team/sandbox', 'codex')).toBe('registry:5000/team/sandbox:latest-codex');
    expect(withTagSuffix('registry:5000/team/sandbox:v2', 'codex')).toBe('registry:5000/team/sandbox:v2-codex');
    expect(() => withTagSuffix(`x:${'a'.repeat(125)}`, 'codex')).toThrow(TourneyError);
  });
});
