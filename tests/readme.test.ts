// README.md is what a new user reads first: its tables, commands and examples must be what the code
// does. Tables are generated (scripts/readme-tables.ts), commands and options are checked against
// the CLI, and every YAML example of "Scenario files" is loaded like a scenario file.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { README, TABLES, renderTable, tableIn, updateTables } from '../scripts/readme-tables.ts';
import { PARAM_SPECS } from '../src/model/params.ts';
import { SHOCK_TYPES } from '../src/scenarios/schema.ts';
import { loadScenarioText, type LoadedScenario } from '../src/scenarios/load.ts';
import { InputError } from '../src/scenarios/errors.ts';
import { commandNames, commandUsage } from '../src/cli/main.ts';

const readme = readFileSync(README, 'utf8');
const lines = readme.split('\n');

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  text: string;
  /** Whether an `<!-- fails -->` line comes right before the fence. */
  fails: boolean;
}

/** The fenced code blocks of the README (or of the lines from..to). */
function blocks(from = 0, to = lines.length): Block[] {
  const out: Block[] = [];
  for (let i = from; i < to; i++) {
    const m = /^```(\S*)/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith('```')) j++;
    out.push({ line: i + 1, info: m[1], text: lines.slice(i + 1, j).join('\n') + '\n', fails: lines[i - 1]?.trim() === '<!-- fails -->' });
    i = j;
  }
  return out;
}

/** Line range [start, end) of a `## ` section. */
function section(title: string): [number, number] {
  const start = lines.indexOf(title);
  if (start < 0) throw new Error(`README.md has no section "${title}"`);
  const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return [start, next < 0 ? lines.length : next];
}

describe('README tables', () => {
  it.each(TABLES)('the %s table is what the code says now', (name) => {
    const inReadme = tableIn(readme, name);
    expect(inReadme, `README.md has no <!-- ${name}:begin --> ... <!-- ${name}:end --> markers`).toBeDefined();
    expect(inReadme, `README.md's ${name} table is not what the code says: run npm run readme-tables`).toBe(renderTable(name));
  });

  it('lists every parameter with its unit, range, scale and default, and why the fixed ones are fixed', () => {
    const table = renderTable('params');
    for (const p of PARAM_SPECS) {
      const row = table.split('\n').find((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(row, `${p.name} is missing from the parameter table`).toBeDefined();
      const cells = row!.split(' | ');
      expect(cells[1]).toBe(p.unit);
      expect(cells[2]).toBe(`${p.min} – ${p.max} (${p.scale})`);
      expect(cells[3]).toBe(String(p.default));
      expect(cells[4]).toBe(p.fit ? 'yes' : 'no, fixed');
      if ('fixed' in p) expect(table).toContain(`- \`${p.name}\`: ${p.fixed}`);
    }
  });

  it('lists every shock type with its own fields', () => {
    const table = renderTable('shocks');
    for (const t of SHOCK_TYPES) expect(table, `shock type ${t}`).toMatch(new RegExp(`^\\| \`${t}\` \\| .+ \\| .+ \\|$`, 'm'));
    expect(table).toMatch(/^\| `outage` \|.*`end`, `duration`, `severity` = `1` \|$/m);
    expect(table).toMatch(/^\| `severity` \| `connectivity` \| number in \[0, 1\] \| `0` \|/m);
  });

  it('replaces only what is between the markers', () => {
    const stale = readme.replace(/(<!-- params:begin -->\n)[^]*?(<!-- params:end -->)/, '$1| stale |\n$2');
    expect(stale).not.toBe(readme);
    expect(updateTables(stale)).toBe(updateTables(readme));
  });

  it('refuses a README without the markers, naming them', () => {
    expect(() => updateTables('# no tables here\n', 'x.md')).toThrow('x.md: expected the markers <!-- params:begin --> and <!-- params:end --> (the params table goes between them)');
  });
});

interface CommandUse {
  line: number;
  command: string;
  options: string[];
}

/** Every `exodus <command> ...` in the README's code (fenced blocks and inline code), with its options. */
function commandUses(): CommandUse[] {
  const code: { line: number; text: string }[] = [];
  let inFence = false;
  lines.forEach((l, i) => {
    if (l.startsWith('```')) inFence = !inFence;
    else if (inFence) code.push({ line: i + 1, text: l });
    else for (const m of l.matchAll(/`([^`]+)`/g)) code.push({ line: i + 1, text: m[1] });
  });
  // A shell line continued with "\" goes on with the next one.
  for (let k = code.length - 2; k >= 0; k--) {
    if (code[k].text.endsWith('\\') && code[k + 1].line === code[k].line + 1) {
      code[k] = { line: code[k].line, text: code[k].text.slice(0, -1) + ' ' + code[k + 1].text };
      code.splice(k + 1, 1);
    }
  }
  const uses: CommandUse[] = [];
  for (const c of code) {
    // "exodus run: my.yaml: ..." is a message, not a command line; "exodus.mjs, worker" is YAML args.
    for (const m of c.text.matchAll(/\bexodus(?:\.mjs)?,? ([a-z][a-z-]*)(?![:\w-])/g)) {
      const rest = c.text.slice(m.index! + m[0].length).split(/\s#\s|\s(?:&&|\||;)\s|\bexodus(?:\.mjs)?,? [a-z]/)[0];
      uses.push({ line: c.line, command: m[1], options: [...rest.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((o) => o[0]) });
    }
  }
  return uses;
}

describe('README command lines', () => {
  const uses = commandUses();
  const commands = commandNames();

  it('finds the command lines (the check is not vacuous)', () => {
    expect(uses.length).toBeGreaterThan(30);
    expect(uses.some((u) => u.command === 'sweep' && u.options.includes('--metric'))).toBe(true);
  });

  it('names only commands the CLI has', () => {
    for (const u of uses) expect(commands, `README.md line ${u.line}: "exodus ${u.command}" is not a command of exodus --help`).toContain(u.command);
  });

  it('gives each command only options its --help documents', async () => {
    const usage = new Map<string, string>();
    for (const c of commands) usage.set(c, (await commandUsage(c))!);
    for (const u of uses) {
      const help = usage.get(u.command);
      if (help === undefined) continue; // reported by the test above
      for (const o of u.options) {
        expect(help, `README.md line ${u.line}: exodus ${u.command} has no option ${o} (exodus ${u.command} --help)`).toMatch(new RegExp(`(^|[\\s\\[])${o}(?![\\w-])`, 'm'));
      }
    }
  });

  it('lists every command in the "Command line" section', () => {
    const [a, b] = section('## Command line');
    const listed = new Set(uses.filter((u) => u.line > a && u.line <= b).map((u) => u.command));
    for (const c of commands) expect(listed.has(c), `exodus ${c} is not in the README's "Command line" section`).toBe(true);
  });
});

describe('README scenario examples', () => {
  const [a, b] = section('## Scenario files');
  const yaml = blocks(a, b).filter((x) => x.info === 'yaml');
  const complete = (o: Record<string, unknown>) => ['name', 'title', 'time', 'regions', 'platforms'].every((k) => k in o);
  const first = yaml.find((x) => !x.fails && complete(parseDocument(x.text).toJS() ?? {}));
  if (!first) throw new Error('README.md "Scenario files" has no complete scenario example');
  const base = parseDocument(first.text).toJS() as Record<string, unknown>;
  const FILE = 'my-event.yaml';

  /**
   * Load an example as exodus would: a complete scenario as it is; a fragment (e.g. only `shocks:`)
   * in place of the same parts of the first example. YAML that does not parse fails as it is, so
   * the line numbers of its message are those of the snippet.
   */
  const load = (text: string): LoadedScenario => {
    const doc = parseDocument(text);
    const data = doc.errors.length ? undefined : (doc.toJS() as Record<string, unknown>);
    if (!data || complete(data)) return loadScenarioText(text, FILE);
    return loadScenarioText(JSON.stringify({ ...base, ...data }), FILE);
  };

  it('has examples, a complete one first', () => {
    expect(yaml.length).toBeGreaterThan(10);
    expect(yaml.indexOf(first)).toBe(0);
  });

  it.each(yaml.filter((x) => !x.fails).map((x) => [x.line, x] as const))('the example at README.md line %i is a valid scenario, without warnings', (_, x) => {
    const loaded = load(x.text);
    expect(loaded.warnings ?? []).toEqual([]);
  });

  it.each(yaml.filter((x) => x.fails).map((x) => [x.line, x] as const))('the broken example at README.md line %i gives the message shown under it', (_, x) => {
    const all = blocks(a, b);
    const shown = all[all.indexOf(all.find((y) => y.line === x.line)!) + 1];
    const expected = shown?.text.split('\n').find((l) => l.startsWith('exodus validate: '));
    expect(expected, `no "exodus validate: ..." line in the block after README.md line ${x.line}`).toBeDefined();
    let message: string | undefined;
    try {
      load(x.text);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = `exodus validate: ${e.message}`;
    }
    expect(message ?? 'it loads without an error', `the example at README.md line ${x.line} does not fail with the message shown under it`).toBe(expected);
  });

  it('shows every shock type', () => {
    const shown = new Set(yaml.filter((x) => !x.fails).flatMap((x) => [...x.text.matchAll(/type: ([a-z]+)/g)].map((m) => m[1])));
    for (const t of SHOCK_TYPES) expect(shown.has(t), `no example of a ${t} shock in "Scenario files"`).toBe(true);
  });
});
