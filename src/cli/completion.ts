// `tourney completion bash|zsh|fish`: completion scripts generated from the commander program itself,
// so every command and flag the CLI has is completed, and none it does not.
import type { Command } from 'commander';

interface CommandWords {
  name: string;
  description: string;
  flags: string[];
  choices: Record<string, string[]>;
}

function words(program: Command): CommandWords[] {
  return program.commands.flatMap((cmd) => {
    const own: CommandWords = {
      name: cmd.name(),
      description: cmd.description(),
      flags: [...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'],
      choices: Object.fromEntries(cmd.options.filter((o) => o.argChoices && o.long).map((o) => [o.long!, o.argChoices!])),
    };
    // One level of subcommands (image build/ls/prune) as "image build".
    const subs = cmd.commands.map((sub) => ({
      name: `${cmd.name()} ${sub.name()}`,
      description: sub.description(),
      flags: [...sub.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'],
      choices: Object.fromEntries(sub.options.filter((o) => o.argChoices && o.long).map((o) => [o.long!, o.argChoices!])),
    }));
    return [own, ...subs];
  });
}

// Names and flags are ours (no user input), but keep the quoting honest anyway.
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashCompletion(program: Command): string {
  const all = words(program);
  const top = all.filter((w) => !w.name.includes(' '));
  const cases = all.map((w) => {
    const choiceCases = Object.entries(w.choices).map(([flag, values]) => `        ${flag}) COMPREPLY=($(compgen -W ${shq(values.join(' '))} -- "$cur")); return ;;`).join('\n');
    return `    ${shq(w.name)})\n      case "$prev" in\n${choiceCases}\n      esac\n      COMPREPLY=($(compgen -W ${shq(w.flags.join(' '))} -- "$cur"))\n      [[ "$cur" != -* ]] && COMPREPLY+=($(compgen -f -- "$cur"))\n      ;;`;
  }).join('\n');
  const subsOf = top.map((t) => {
    const subs = all.filter((w) => w.name.startsWith(`${t.name} `)).map((w) => w.name.split(' ')[1]);
    return subs.length ? `    ${shq(t.name)}) subs=${shq(subs.join(' '))} ;;` : '';
  }).filter(Boolean).join('\n');
  return `# bash completion for tourney: eval "$(tourney completion bash)" (e.g. in ~/.bashrc)
_tourney() {
  local cur prev cmd subs
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${shq(top.map((t) => t.name).join(' ') + ' --help --version')} -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  subs=""
  case "$cmd" in
${subsOf}
  esac
  if [[ -n "$subs" ]]; then
    if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); return; fi
    cmd="$cmd \${COMP_WORDS[2]}"
  fi
  case "$cmd" in
${cases}
  esac
}
complete -o default -F _tourney tourney
`;
}

export function zshCompletion(program: Command): string {
  // zsh runs the bash function through bashcompinit: one completion logic for both shells.
  return `#compdef tourney
# zsh completion for tourney: eval "$(tourney completion zsh)" (e.g. in ~/.zshrc)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

export function fishCompletion(program: Command): string {
  const all = words(program);
  const top = all.filter((w) => !w.name.includes(' '));
  const lines = ['# fish completion for tourney: tourney completion fish > ~/.config/fish/completions/tourney.fish', 'complete -c tourney -f'];
  for (const t of top) lines.push(`complete -c tourney -n __fish_use_subcommand -a ${shq(t.name)} -d ${shq(t.description.slice(0, 80))}`);
  for (const w of all) {
    const [cmd, sub] = w.name.split(' ');
    const cond = sub ? `__fish_seen_subcommand_from ${cmd}; and __fish_seen_subcommand_from ${sub}` : `__fish_seen_subcommand_from ${cmd}`;
    if (!sub && all.some((x) => x.name.startsWith(`${cmd} `))) {
      for (const s of all.filter((x) => x.name.startsWith(`${cmd} `))) lines.push(`complete -c tourney -n ${shq(`__fish_seen_subcommand_from ${cmd}`)} -a ${shq(s.name.split(' ')[1]!)} -d ${shq(s.description.slice(0, 80))}`);
    }
    for (const flag of w.flags.filter((f) => f.startsWith('--'))) {
      const values = w.choices[flag];
      lines.push(`complete -c tourney -n ${shq(cond)} -l ${flag.slice(2)}${values ? ` -xa ${shq(values.join(' '))}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
