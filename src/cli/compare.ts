// exodus compare: the model against every reported figure of an event, over replicates.
import { parse, intOption, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { loadFor, checkAgents } from './scenario.ts';
import { CALIBRATED_PARAMS, calibratedParamFile } from '../api.ts';
import { compareScenario, fitCsv, fitJson, fitText } from '../calibrate/fittable.ts';
import { posteriorBeside, readPosterior, resampleDraws } from '../calibrate/posterior.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { defaultWorkers } from '../calibrate/pool.ts';
import type { ParamDraw } from '../calibrate/replicates.ts';
import { checkOutputFile, writeOutputFile, type FileOutputOptions } from './output.ts';

export const usage = `Usage: exodus compare <event | scenario.yaml> [options]

Run the scenario with N seeds and compare the model with each reported figure (role compare):
reported value, model median and 90% band over the replicates, ratio model/reported, and
whether the reported value lies in the band; then median and max |log10 ratio| and coverage.
With a posterior beside the parameter file (the shipped calibration has one) replicate k runs
posterior draw k: the median is the posterior predictive median, the band shows parameter
uncertainty as well as chance (exodus run gives one run at the central estimate instead).

Options:
  --params FILE     behavioural parameters (JSON) over the shipped calibration
                    (data/calibrated/params.json)
  --replicates N    number of replicates, seeds seed..seed+N-1 (default 20)
  --seed N          seed of the first replicate (default 1)
  --agents N        agents per run (default: the scenario's)
  --point           use the central estimate only (the band then shows chance alone); by
                    default, when the parameter file has a posterior sample beside it
                    (posterior.csv), the band's replicate k draws its parameters from it, so
                    the band shows parameter uncertainty as well as chance
${POOL_HELP}
  --json            print one JSON object instead of the table
  --csv FILE        also write the fit table as CSV (FitRow columns); an existing file is replaced
                    only when it is a fit table exodus wrote
  --force           replace FILE whatever it is
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      params: { type: 'string' },
      replicates: { type: 'string' },
      seed: { type: 'string' },
      agents: { type: 'string' },
      point: { type: 'boolean' },
      ...POOL_OPTIONS,
      json: { type: 'boolean' },
      csv: { type: 'string' },
      force: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(`expected one event or scenario file, got ${positionals.length} (exodus compare --help)`);
  const loaded = loadFor('compare', positionals[0]);
  const replicates = intOption(values.replicates, 'replicates', 20);
  const seed = intOption(values.seed, 'seed', 1, 0);
  const agents = intOption(values.agents, 'agents', loaded.scenario.agents, 100);
  checkAgents(loaded, agents, { parallel: Math.min(values.queue ? 1 : intOption(values.workers, 'workers', defaultWorkers()), replicates) });
  const paramsFile = values.params as string | undefined;
  const csvOut: FileOutputOptions = { option: '--csv', force: Boolean(values.force), what: 'a fit table', recognise: isFitCsv };
  if (values.csv) checkOutputFile(values.csv as string, csvOut);
  let draws: ParamDraw[] | undefined;
  if (!values.point) {
    const base = paramsFile ?? (calibratedParamFile() ? CALIBRATED_PARAMS : undefined);
    const post = base ? posteriorBeside(base) : undefined;
    if (post) draws = resampleDraws(readPosterior(post), replicates);
  }
  const { pool } = poolFromArgs(values);
  const bar = progressBar(`compare ${loaded.scenario.name}`);
  let t;
  try {
    t = await compareScenario(loaded, { replicates, seed, agents, paramsFile, draws, pool, onProgress: (d) => bar.update(d) });
  } finally {
    bar.done();
    await pool.close();
  }
  if (values.csv) writeOutputFile(values.csv as string, fitCsv(t.rows), csvOut);
  console.log(values.json ? JSON.stringify(fitJson(t), null, 2) : fitText(t));
  return 0;
}

/** A fit table written by exodus: its header has the event, id and log10_ratio columns. */
function isFitCsv(text: string): boolean {
  const header = text.split('\n', 1)[0].split(',');
  return header[0] === 'event' && header[1] === 'id' && header.includes('log10_ratio');
}
