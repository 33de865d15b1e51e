import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { buildProgram } from '../../src/cli/main.js';
import { bashCompletion, fishCompletion, zshCompletion } from '../../src/cli/completion.js';

const program = buildProgram(() => undefined);
const script = bashCompletion(program);

/** What bash offers after `words` (the last one being completed), through the generated function. */
async function complete(...words: string[]): Promise<string[]> {
  const arr = words.map((w) => `'${w}'`).join(' ');
  const { stdout } = await execa('bash', ['--noprofile', '--norc', '-c', `${script}\nCOMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _tourney; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: '/' });
  return stdout.split('\n').filter(Boolean);
}

describe('tourney completion', () => {
  it('bash completes every command the CLI has, and only those', async () => {
    const commands = program.commands.map((c) => c.name()).sort();
    const offered = (await complete('tourney', '')).filter((w) => !w.startsWith('-')).sort();
    expect(offered).toEqual(commands);
    expect(await complete('tourney', 'sc')).toEqual(['score', 'schema']);
  });

  it("bash completes a command's own flags, subcommands and choices", async () => {
    expect(await complete('tourney', 'run', '--ju')).toEqual(['--judge', '--junit']);
    expect(await complete('tourney', 'score', '--bas')).toEqual(['--base']);
    expect(await complete('tourney', 'image', '')).toEqual(['build', 'ls', 'prune']);
    expect(await complete('tourney', 'image', 'prune', '--kind', '')).toEqual(['environment', 'toolchain']);
    expect(await complete('tourney', 'doctor', '--')).toEqual(expect.arrayContaining(['--live', '--json', '--repo', '--config']));
  });

  it('zsh reuses the bash logic through bashcompinit; fish gets one line per command and flag', () => {
    const zsh = zshCompletion(program);
    expect(zsh.split('\n')[0]).toBe('#compdef tourney');
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -o default -F _tourney tourney');
    const fish = fishCompletion(program);
    for (const c of program.commands) expect(fish).toContain(`-n __fish_use_subcommand -a '${c.name()}'`);
    expect(fish).toContain("complete -c tourney -n '__fish_seen_subcommand_from run' -l judge");
    expect(fish).toContain("-n '__fish_seen_subcommand_from image; and __fish_seen_subcommand_from prune' -l kind -xa 'environment toolchain'");
  });
});
