// exodus diagnose: whether the shipped (or a given) calibration can be believed: simulation-based
// calibration of the procedure, identifiability of each parameter, prior predictive check.
import { join, resolve } from 'node:path';
import { checkOutputFile, writeOutputFile, type FileOutputOptions } from './output.ts';
import { parse, intOption } from './args.ts';
import { progressBar } from './progress.ts';
import { table } from './table.ts';
import { CALIBRATED_PARAMS } from '../api.ts';
import { readCalibration } from '../calibrate/shipped.ts';
import { diagnose, DIAGNOSE_DEFAULTS, type DiagnoseResult } from '../calibrate/diagnose.ts';
import { POOL_HELP, POOL_OPTIONS, poolFromArgs } from './pool-options.ts';
import { checkpointFile, openCheckpoint } from '../calibrate/checkpoint.ts';

export const usage = `Usage: exodus diagnose [options]

Check a calibration (default data/calibrated/):
- simulation-based calibration (SBC): runs from the prior play the true world; their figures plus a
  reporting error are synthetic reported figures; the posterior is computed as calibrate does
  (emulators fitted to other prior runs, SMC on the emulated likelihood), and each true parameter
  is ranked among the posterior draws. Calibrated inference gives uniform ranks, and 50% and 90%
  intervals that hold about 50% and 90% of the true values.
- identifiability: posterior sd against prior sd per parameter (near 1: the figures do not pin it).
- prior predictive: the prior's 90% interval of every figure against the reported value.

Options:
  --params FILE     the calibration's params.json (default data/calibrated/params.json)
  --draws N         synthetic draws for SBC (default ${DIAGNOSE_DEFAULTS.draws}); prior runs of the calibration's first wave
                    are used, and more are simulated when there are too few
  --particles N     SMC particles per synthetic posterior (default ${DIAGNOSE_DEFAULTS.particles})
  --seed N          seed of the synthetic reporting errors and new prior draws (default 1)
${POOL_HELP}
  --json            print one JSON object instead of tables
  --out FILE        also write the JSON (default: diagnostics.json beside params.json; "-" for none);
                    an existing file is replaced only when it is a diagnosis exodus wrote
  --force           replace FILE whatever it is
  -h, --help        this help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parse(argv, { params: { type: 'string' }, draws: { type: 'string' }, particles: { type: 'string' }, seed: { type: 'string' }, ...POOL_OPTIONS, json: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage), 0;
  const cal = readCalibration(resolve((values.params as string | undefined) ?? CALIBRATED_PARAMS));
  const out = values.out === '-' ? undefined : ((values.out as string | undefined) ?? join(cal.dir, 'diagnostics.json'));
  const outOpts: FileOutputOptions = { option: '--out', force: Boolean(values.force), what: 'a diagnosis', recognise: (t) => t.includes('"sbc"') && t.includes('"identifiability"') };
  if (out) checkOutputFile(out, outOpts); // before the runs, not after them
  const { pool } = poolFromArgs(values, { resume: true });
  const ckSettings = { diagnose: cal.events.map((l) => l.hash), agents: cal.agents, fit: cal.dims.map((d) => d.key) };
  const ck = openCheckpoint(checkpointFile('.exodus', ckSettings), ckSettings, true);
  let bar = progressBar('diagnose');
  let stage = '';
  try {
    const r = await diagnose({
      ...cal,
      draws: intOption(values.draws, 'draws', DIAGNOSE_DEFAULTS.draws, 10),
      particles: intOption(values.particles, 'particles', DIAGNOSE_DEFAULTS.particles, 100),
      seed: intOption(values.seed, 'seed', 1, 0),
      pool,
      checkpoint: ck,
      onProgress: (s, d, n) => {
        if (s !== stage) {
          bar.done();
          bar = progressBar(s);
          stage = s;
        }
        bar.update(n ? d / n : 0);
      },
    });
    bar.done();
    const json = diagnoseJson(r);
    if (out) writeOutputFile(out, JSON.stringify(json, null, 2) + '\n', outOpts);
    console.log(values.json ? JSON.stringify(json, null, 2) : diagnoseText(r));
    return 0;
  } finally {
    bar.done();
    ck.flush();
    await pool.close();
  }
}

const r4 = (v: number) => Number(v.toFixed(4));

export function diagnoseJson(r: DiagnoseResult) {
  return {
    sbc: {
      truths: r.sbc.truths,
      trainRuns: r.sbc.trainRuns,
      learningRate: r.sbc.learningRate,
      posteriorDraws: r.sbc.L,
      coverage50: r4(r.sbc.pooled50),
      coverage90: r4(r.sbc.pooled90),
      parameters: r.sbc.keys.map((k, d) => ({ param: k, coverage50: r4(r.sbc.coverage50[d]), coverage90: r4(r.sbc.coverage90[d]), uniformityP: r4(r.sbc.uniformityP[d]), ranks: r.sbc.ranks.map((x) => x[d]) })),
    },
    identifiability: r.identifiability.map((x) => ({ ...x, priorSd: r4(x.priorSd), posteriorSd: r4(x.posteriorSd), ratio: r4(x.ratio) })),
    priorPredictive: r.priorPredictive,
  };
}

export function diagnoseText(r: DiagnoseResult): string {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const lines = [
    `Simulation-based calibration: ${r.sbc.truths} synthetic draws from the prior (emulators on ${r.sbc.trainRuns} other prior runs), ${r.sbc.L} posterior draws each, likelihood at the calibration's learning rate ${r.sbc.learningRate}.`,
    `50% intervals hold ${pct(r.sbc.pooled50)} of the true values, 90% intervals ${pct(r.sbc.pooled90)} (calibrated: about 50% and 90%).`,
    '',
    table(
      ['parameter', '50% cover', '90% cover', 'ranks uniform (p)', 'posterior sd / prior sd', 'verdict'],
      r.sbc.keys.map((k, d) => {
        const id = r.identifiability[d];
        return [k, pct(r.sbc.coverage50[d]), pct(r.sbc.coverage90[d]), r.sbc.uniformityP[d].toFixed(3), id.ratio.toFixed(2), id.verdict];
      }),
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
    `Prior predictive: the reported value lies in the prior's 90% interval for ${r.priorPredictive.filter((x) => x.inside).length} of ${r.priorPredictive.length} figures.`,
  ];
  const outside = r.priorPredictive.filter((x) => !x.inside);
  if (outside.length) lines.push(`outside: ${outside.map((x) => x.id).join(', ')}`);
  return lines.join('\n');
}
