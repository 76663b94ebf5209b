// Command-line parsing on node:util parseArgs, with errors that say what was expected, on one line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LIMITS } from '../scenarios/limits.ts';
import { closest } from '../scenarios/errors.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** "exodus run" from a usage text ("Usage: exodus run <event> ..."), for "see --help" hints. */
export function commandOf(usage: string): string {
  return /^Usage: (exodus(?: [a-z]+)?)/.exec(usage)?.[1] ?? 'exodus';
}

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string): Parsed {
  const all: NonNullable<ParseArgsConfig['options']> = { ...options, help: { type: 'boolean', short: 'h' } };
  // A negative number after an option that takes a value is its value ("--agents -5"), so that
  // the option's own check can say what it expects.
  const takesValue = (a: string) => /^--[a-z][a-z-]*$/.test(a) && all[a.slice(2)]?.type === 'string';
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  try {
    const r = parseArgs({ args, options: all, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    let msg = (e as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s+/g, ' ');
    const unknown = /^Unknown option '--([^']+)'/.exec(msg);
    const near = unknown ? closest(unknown[1], Object.keys(all)) : undefined;
    if (near) msg += ` (did you mean --${near}?)`;
    throw new UsageError(`${msg} (${commandOf(usage)} --help)`);
  }
}

/** Largest values of the integer options, by option name. */
const MAXIMA: Record<string, number> = {
  agents: LIMITS.agents,
  'fit-agents': LIMITS.agents,
  replicates: 1000,
  'fit-replicates': 1000,
  workers: 64,
  seeds: 100,
  particles: 1000,
  budget: 100_000,
};

/** An integer option within its range, or the default. */
export function intOption(v: unknown, name: string, def: number, min = 1, max = MAXIMA[name.split(' ')[0]] ?? Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`;
    throw new UsageError(`--${name}: expected an integer ${range}, got "${String(v).slice(0, 40)}"`);
  }
  return n;
}
