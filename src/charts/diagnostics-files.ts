// The calibration's diagnostics on disk, for the report: diagnostics.json (`exodus diagnose`) and
// sensitivity-<method>.csv (`exodus sensitivity`) beside params.json, read back (checked: a bad
// file is one clear line naming the file and the field), with short names for the figures, and
// turned into the report's charts with a caption each. Files that are absent give a hint instead.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError, formatPath } from '../scenarios/errors.ts';
import { parseCsv } from '../scenarios/csv.ts';
import { builtinNames, loadScenario } from '../scenarios/load.ts';
import type { DiagnosticsData, FigureName, FigurePoint, SensitivityRow } from './types.ts';
import type { ReportChart } from './report.ts';
import { appLabel } from './style.ts';
import { textWidth } from './fontmetrics.ts';
import { identifiabilityChart, priorPredictiveChart, sbcCoverageChart, sbcRankChart } from './diagnostics.ts';
import { sensitivityChart, type SensitivityMethod } from './sensitivity.ts';

export const DIAGNOSTICS_FILE = 'diagnostics.json';
export const SENSITIVITY_FILES: Record<SensitivityMethod, string> = { morris: 'sensitivity-morris.csv', sobol: 'sensitivity-sobol.csv' };

// Only what the charts use is required; fields a later `exodus diagnose` adds are let through.
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const share = finite.refine((v) => v >= 0 && v <= 1, 'expected a share between 0 and 1');
const diagnosticsSchema = z.object({
  sbc: z.object({
    truths: z.number().int().positive(),
    posteriorDraws: z.number().int().positive(),
    coverage50: share,
    coverage90: share,
    parameters: z
      .array(
        z.object({
          param: z.string().min(1),
          coverage50: share,
          coverage90: share,
          uniformityP: finite.optional(),
          ranks: z.array(z.number().int().nonnegative()),
        }),
      )
      .min(1),
  }),
  identifiability: z.array(z.object({ key: z.string().min(1), priorSd: finite, posteriorSd: finite, ratio: finite, verdict: z.string() })),
  priorPredictive: z.array(z.object({ event: z.string(), id: z.string(), reported: finite, lo: finite, median: finite, hi: finite, inside: z.boolean() })),
});

/** diagnostics.json, checked: ranks within 0..posteriorDraws, one rank per synthetic draw. */
export function readDiagnostics(file: string): DiagnosticsData {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, '', `not valid JSON (${(e as Error).message}); expected the diagnostics.json written by exodus diagnose`);
  }
  const parsed = diagnosticsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, formatPath(issue.path), `${issue.message} (the diagnostics.json written by exodus diagnose)`);
  }
  const d = parsed.data;
  d.sbc.parameters.forEach((p, i) => {
    if (p.ranks.length !== d.sbc.truths) throw new InputError(file, `sbc.parameters[${i}].ranks`, `expected ${d.sbc.truths} ranks (sbc.truths), got ${p.ranks.length}`);
    const bad = p.ranks.findIndex((r) => r > d.sbc.posteriorDraws);
    if (bad >= 0) throw new InputError(file, `sbc.parameters[${i}].ranks[${bad}]`, `expected a rank from 0 to ${d.sbc.posteriorDraws} (sbc.posteriorDraws), got ${p.ranks[bad]}`);
  });
  return d;
}

const CSV_FIELDS = { mu_star: 'muStar', sigma: 'sigma', first: 'first', first_lo: 'firstLo', first_hi: 'firstHi', total: 'total', total_lo: 'totalLo', total_hi: 'totalHi' } as const;

/** sensitivity-<method>.csv, checked: event, figure and param on every row, numbers where given. */
export function readSensitivity(file: string): SensitivityRow[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  for (const col of ['event', 'figure', 'param']) if (!header?.includes(col)) throw new InputError(file, 'header', `expected a column "${col}" (the CSV written by exodus sensitivity), got ${header?.join(',') ?? 'an empty file'}`);
  if (!Object.keys(CSV_FIELDS).some((c) => header.includes(c))) throw new InputError(file, 'header', `expected mu_star (Morris) or total (Sobol) columns, got ${header.join(',')}`);
  return rows
    .filter((r) => r.some((x) => x !== ''))
    .map((r, i) => {
      const at = (col: string) => r[header.indexOf(col)] ?? '';
      const row: SensitivityRow = { event: at('event'), figure: at('figure'), param: at('param') };
      for (const col of ['event', 'figure', 'param'] as const) if (!row[col]) throw new InputError(file, `row ${i + 2}.${col}`, 'expected a name, got an empty cell');
      for (const [col, key] of Object.entries(CSV_FIELDS)) {
        const v = at(col);
        if (v === '') continue;
        const x = Number(v);
        if (!Number.isFinite(x)) throw new InputError(file, `row ${i + 2}.${col}`, `expected a number, got "${v}"`);
        row[key] = x;
      }
      return row;
    });
}

// ---------------------------------------------------------------------------------------------
// Short names of figures

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2019-03-13T16:00Z" → "13 Mar 2019", "2025-04" → "Apr 2025", "2018" → "2018". */
export function compactDate(date: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m;
  if (!mo) return y;
  const month = MONTHS[Number(mo) - 1] ?? mo;
  return d ? `${Number(d)} ${month} ${y}` : `${month} ${y}`;
}

/** Widest short label in pixels (11 px text): rows of a heatmap stay beside their cells. */
export const FIGURE_LABEL_PX = 270;

/**
 * "Telegram monthly reach, Apr 2020": the app (unless the wording names it), the figure's own
 * wording cut at a word to fit `maxPx`, and its date.
 */
export function shortFigureLabel(f: { platform: string; label: string; date: string }, maxPx = FIGURE_LABEL_PX): string {
  const app = appLabel(f.platform);
  const wording = f.label.trim();
  const head = wording.toLowerCase().includes(app.toLowerCase()) ? wording : `${app} ${wording}`;
  const tail = `, ${compactDate(f.date)}`;
  if (textWidth(head + tail, 11) <= maxPx) return head + tail;
  // The wording before a comma or a bracket usually says what the figure is.
  const clause = head.split(/\s*[,;(]/)[0];
  if (clause !== head && textWidth(clause + tail, 11) <= maxPx) return clause + tail;
  const words = clause.split(/\s+/);
  let cut = words[0];
  for (const w of words.slice(1)) {
    if (textWidth(`${cut} ${w}…${tail}`, 11) > maxPx) break;
    cut = `${cut} ${w}`;
  }
  return `${cut.replace(/[,;:(]+$/, '')}…${tail}`;
}

type FigureFacts = { event: string; id: string; platform: string; label: string; date: string; geography?: string };

/**
 * Short names for the figures of `events`, unique within each event: from the report's figures
 * where it has them, else from the built-in scenario; figures of other events keep their ids.
 */
export function figureNames(events: Iterable<string>, points: readonly FigurePoint[] = []): FigureName[] {
  const out: FigureName[] = [];
  const builtins = new Set(builtinNames());
  for (const event of new Set(events)) {
    let facts: FigureFacts[] = points.filter((p) => p.event === event);
    if (!facts.length && builtins.has(event))
      facts = loadScenario(event).scenario.figures.map((f) => ({ event, id: f.id, platform: f.platform, label: f.label ?? f.id, date: String(f.date), geography: f.geography }));
    const seen = new Map<string, number>();
    const names = facts.map((f) => {
      let short = shortFigureLabel(f);
      if (seen.has(short) && f.geography) short = `${short} (${f.geography})`;
      const n = (seen.get(short) ?? 0) + 1;
      seen.set(short, n);
      return { event, id: f.id, short: n > 1 ? `${short} #${n}` : short, wording: f.label };
    });
    out.push(...names);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Into the report

export interface DiagnosticsFiles {
  diagnostics?: string;
  sensitivity: { method: SensitivityMethod; file: string }[];
}

/** The diagnostics files beside a calibration's params.json. */
export function diagnosticsFiles(paramsFile: string): DiagnosticsFiles {
  const dir = dirname(paramsFile);
  const at = (n: string) => (existsSync(join(dir, n)) ? join(dir, n) : undefined);
  return {
    diagnostics: at(DIAGNOSTICS_FILE),
    sensitivity: (Object.keys(SENSITIVITY_FILES) as SensitivityMethod[]).flatMap((method) => {
      const file = at(SENSITIVITY_FILES[method]);
      return file ? [{ method, file }] : [];
    }),
  };
}

/** Read every diagnostics file beside `paramsFile`: throws InputError (file, field) on a bad one. */
export function checkDiagnosticsFiles(paramsFile: string): void {
  const files = diagnosticsFiles(paramsFile);
  if (files.diagnostics) readDiagnostics(files.diagnostics);
  for (const s of files.sensitivity) readSensitivity(s.file);
}

/** The parameters a calibration fitted (params.json "fitted"), when it says. */
function fittedOf(paramsFile: string): string[] | undefined {
  try {
    const pf = JSON.parse(readFileSync(paramsFile, 'utf8')) as { fitted?: unknown };
    return Array.isArray(pf.fitted) ? pf.fitted.map(String) : undefined;
  } catch {
    return undefined;
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/**
 * What the report says about diagnostics it does not show: which command would make them, or
 * that a file is of another calibration. Undefined when every diagnostic is in the report.
 */
export function diagnosticsHint(paramsFile: string, display: (file: string) => string = (f) => f): string | undefined {
  const files = diagnosticsFiles(paramsFile);
  const fitted = fittedOf(paramsFile);
  const p = display(paramsFile);
  const parts: string[] = [];
  if (!files.diagnostics)
    parts.push(`whether the calibration recovers known parameters, which parameters the figures pin down and what the prior alone implies for each figure: run exodus diagnose --params ${p} (writes ${DIAGNOSTICS_FILE} beside it)`);
  else if (fitted && !sameSet(fitted, readDiagnostics(files.diagnostics).sbc.parameters.map((x) => x.param)))
    parts.push(`the diagnostics: ${display(files.diagnostics)} is of a calibration with other parameters; run exodus diagnose --params ${p} again`);
  if (!files.sensitivity.length) parts.push(`which parameters move which figures: run exodus sensitivity --params ${p} (writes ${SENSITIVITY_FILES.morris} beside it)`);
  for (const s of files.sensitivity)
    if (fitted && !readSensitivity(s.file).every((r) => fitted.includes(r.param)))
      parts.push(`the sensitivity: ${display(s.file)} names parameters this calibration does not fit; run exodus sensitivity --params ${p}${s.method === 'sobol' ? ' --method sobol' : ''} again`);
  if (!parts.length) return undefined;
  return `Not in this report — ${parts.join('; ')}. Then run this report again.`;
}

export interface DiagnosticsChartsOptions {
  /** The report's figures (short names come from them). */
  figures?: readonly FigurePoint[];
  eventTitles?: Record<string, string>;
  /** How a file is printed in source notes and captions (default: as given). */
  display?: (file: string) => string;
}

/**
 * The diagnostics charts of a calibration, with a caption each (what it shows, how to read it,
 * the command that reproduces it); none for files that are absent or of another calibration.
 */
export function diagnosticsCharts(paramsFile: string, o: DiagnosticsChartsOptions = {}): ReportChart[] {
  const display = o.display ?? ((f: string) => f);
  const files = diagnosticsFiles(paramsFile);
  const fitted = fittedOf(paramsFile);
  const p = display(paramsFile);
  const charts: ReportChart[] = [];
  const eventTitles = o.eventTitles ?? {};
  if (files.diagnostics) {
    const d = readDiagnostics(files.diagnostics);
    if (!fitted || sameSet(fitted, d.sbc.parameters.map((x) => x.param))) {
      const cmd = `exodus diagnose --params ${p}`;
      const source = `${display(files.diagnostics)}, written by ${cmd} (${d.sbc.truths} synthetic draws, ${d.sbc.posteriorDraws} posterior draws each).`;
      charts.push({
        name: 'sbc-coverage',
        title: 'Does the calibration recover known parameters?',
        spec: sbcCoverageChart({ sbc: d.sbc, source, eventTitles }),
        caption:
          'Simulation-based calibration: the whole calibration is run on synthetic figures made from parameters we know, and we count how often its intervals hold them. ' +
          'A dot left of the grey range means intervals that are too narrow (claims too sure); right of it, too wide. With many parameters, one dot just outside is no alarm. ' +
          `Reproduce: ${cmd}.`,
      });
      charts.push({
        name: 'sbc-ranks',
        title: 'Where the true values fall among the calibration’s answers',
        spec: sbcRankChart({ sbc: d.sbc, source, eventTitles }),
        caption:
          'The same tests in detail (Talts et al. 2018): for a calibrated method the true value is as likely to fall anywhere among the posterior draws, so each histogram is flat within the grey band. ' +
          `A U shape means too narrow a posterior, a hump too wide, a slope a bias. Reproduce: ${cmd}.`,
      });
      if (d.identifiability.length)
        charts.push({
          name: 'identifiability',
          title: 'Which parameters the reported figures pin down',
          spec: identifiabilityChart({ rows: d.identifiability, source: `${display(files.diagnostics)}, from the calibration's posterior (${cmd}).`, eventTitles }),
          caption:
            "Each parameter's spread after calibration, as a share of its spread before (the prior). Near 0: the figures determine it; near 1: they say little about it, and its value comes from the prior. " +
            `Reproduce: ${cmd}.`,
        });
      if (d.priorPredictive.length)
        charts.push({
          name: 'prior-predictive',
          title: 'What the model gives before calibration',
          spec: priorPredictiveChart({ rows: d.priorPredictive, figures: figureNames(d.priorPredictive.map((r) => r.event), o.figures), source: `${display(files.diagnostics)}: the calibration's runs from the prior (${cmd}).`, eventTitles }),
          caption:
            'For every reported figure, the range the model gives with parameters drawn from the prior, before it has seen any figure. A reported value outside it (orange) is one the model can hardly produce at all: a sign that the model or the prior misses something there. ' +
            `Reproduce: ${cmd}.`,
        });
    }
  }
  for (const s of files.sensitivity) {
    const rows = readSensitivity(s.file);
    if (!rows.length || (fitted && !rows.every((r) => fitted.includes(r.param)))) continue;
    const cmd = `exodus sensitivity --params ${p}${s.method === 'sobol' ? ' --method sobol' : ''}`;
    charts.push({
      name: `sensitivity-${s.method}`,
      title: 'Which parameters move which figures',
      spec: sensitivityChart({ rows, method: s.method, figures: figureNames(rows.map((r) => r.event), o.figures), source: `${display(s.file)}, written by ${cmd}.`, eventTitles }),
      caption:
        (s.method === 'morris'
          ? 'Global sensitivity (Morris screening on the simulator): each parameter is stepped across its prior range, one at a time, from many starting points, and the change of every figure is recorded. '
          : "Global sensitivity (Sobol indices on the calibration's emulators): how much of each figure's variation over the prior goes with each parameter. ") +
        'Dark cells: the parameter matters for that figure; a column that is pale throughout is a parameter no figure can inform (compare the identifiability chart). ' +
        `Reproduce: ${cmd}.`,
    });
  }
  return charts;
}
