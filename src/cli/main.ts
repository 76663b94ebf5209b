// The `exodus` command: dispatches to one module per subcommand. Bad input ends with one message
// (file, field, what was expected) and exit code 2, never a stack trace.
import { InputError } from '../scenarios/errors.ts';
import { ParamError } from '../model/params.ts';
import { UsageError } from './args.ts';
import { VERSION } from './manifest.ts';
import { QueueError } from '../queue/connection.ts';

interface Command {
  summary: string;
  load: () => Promise<{ main(argv: string[]): Promise<number>; usage: string }>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run a built-in event or a scenario file once; write tidy CSV and a manifest', load: () => import('./run.ts') },
  list: { summary: 'list the built-in events', load: () => import('./list.ts') },
  show: { summary: "print an event's timeline of shocks and its reported figures with sources", load: () => import('./show.ts') },
  validate: { summary: 'check scenario files without running them', load: () => import('./validate.ts') },
  schema: { summary: 'print the JSON Schema of scenario files', load: () => import('./schema.ts') },
  compare: { summary: 'compare the model with every reported figure of an event, over replicates', load: () => import('./compare.ts') },
  calibrate: { summary: 'fit one set of behavioural parameters to the reported figures of all events', load: () => import('./calibrate.ts') },
  report: { summary: 'run every event with the calibrated parameters; write charts (Vega-Lite, SVG, PNG) and an offline HTML report', load: () => import('./report.ts') },
  sweep: { summary: 'vary parameters and scenario fields over a grid, a list or a Latin hypercube; tidy CSV, manifest, chart', load: () => import('./sweep.ts') },
  worker: { summary: 'take runs from a Redis queue (--queue redis://host:port) and compute them here', load: () => import('./worker.ts') },
  crossval: { summary: 'leave-one-event-out prediction against a Bass baseline and "nothing happens", with proper scores', load: () => import('./crossval.ts') },
  diagnose: { summary: 'check a calibration: simulation-based calibration, identifiability, prior predictive', load: () => import('./diagnose.ts') },
  sensitivity: { summary: 'global sensitivity of every figure to every parameter (Morris, or Sobol on the emulators)', load: () => import('./sensitivity.ts') },
};

/** The names of the commands, in the order of `exodus --help`. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

/** A command's --help text (undefined: no such command). */
export async function commandUsage(name: string): Promise<string | undefined> {
  return Object.hasOwn(COMMANDS, name) ? (await COMMANDS[name].load()).usage : undefined;
}

/** Other modules add commands here (compare, calibrate, crossval, report). */
export function registerCommand(name: string, c: Command): void {
  COMMANDS[name] = c;
}

export function helpText(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return `exodus ${VERSION}: people moving between messaging apps after outages, privacy scares and blocks

Usage: exodus <command> [options]      exodus <command> --help for a command's options

Commands:
${Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`).join('\n')}

Examples:
  exodus list
  exodus run facebook-outage-2019 --seed 7 --out out/fb19
  exodus run my-event.yaml --agents 200000
  exodus show russia-blocks-2024-2026`;
}

export async function cli(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) return cli([rest[0], '--help']);
    console.log(helpText());
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-v') return console.log(VERSION), 0;
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`exodus: unknown command "${cmd}"; expected one of ${Object.keys(COMMANDS).join(', ')} (exodus --help)`);
    return 2;
  }
  const mod = await c.load();
  try {
    return await mod.main(rest);
  } catch (e) {
    if (e instanceof InputError || e instanceof ParamError || e instanceof UsageError) {
      console.error(`exodus ${cmd}: ${e.message}`);
      return 2;
    }
    // A queue that cannot be reached, a run a worker refused or that failed there: one line.
    if (e instanceof QueueError) {
      console.error(`exodus ${cmd}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
