// The reported figures (data/reported-figures.csv): every figure keeps its source, url, date, metric
// wording, window, geography and confidence. Built-in scenarios refer to rows by id.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './csv.ts';
import { InputError } from './errors.ts';
import { parseDate } from '../model/time.ts';

export interface ReportedFigure {
  id: string;
  event_id: string;
  date: string;
  platform: string;
  metric: string;
  value: number;
  /** Where the figure is a range ("29000000-40000000"). */
  low?: number;
  high?: number;
  unit: string;
  geography: string;
  window: string;
  source: string;
  url: string;
  confidence: 'high' | 'medium' | 'low';
  notes: string;
}

export const FIGURES_CSV = fileURLToPath(new URL('../../data/reported-figures.csv', import.meta.url));

const COLUMNS = ['id', 'event_id', 'date', 'platform', 'metric', 'value', 'unit', 'geography', 'window', 'source', 'url', 'confidence', 'notes'] as const;

/** Read and check a reported-figures CSV; a bad row is reported with its line and column. */
export function readFigures(file = FIGURES_CSV, text?: string): ReportedFigure[] {
  const rows = parseCsv(text ?? readFileSync(file, 'utf8'));
  if (rows.length === 0) throw new InputError(file, '', 'expected a header row');
  const header = rows[0];
  for (const c of COLUMNS) {
    if (!header.includes(c)) throw new InputError(file, 'header', `expected a column "${c}" (columns: ${COLUMNS.join(', ')})`);
  }
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const seen = new Set<string>();
  return rows.slice(1).map((r, k) => {
    const line = k + 2;
    const get = (c: string) => (r[col[c]] ?? '').trim();
    const where = (c: string) => `line ${line}, ${c}`;
    const id = get('id');
    if (!id) throw new InputError(file, where('id'), 'expected a figure id');
    if (seen.has(id)) throw new InputError(file, where('id'), `expected a unique id, "${id}" is used twice`);
    seen.add(id);
    const date = get('date');
    if (!date || Number.isNaN(parseDate(date))) {
      throw new InputError(file, where('date'), `expected a date such as 2018-04 or 2018-04-16, got "${date}"`);
    }
    const raw = get('value');
    const range = /^(-?[\d.]+)\s*-\s*([\d.]+)$/.exec(raw);
    let value: number;
    let low: number | undefined;
    let high: number | undefined;
    if (range) {
      low = Number(range[1]);
      high = Number(range[2]);
      value = Math.sqrt(low * high); // geometric mid-point: comparisons are on a log scale
    } else value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) throw new InputError(file, where('value'), `expected a number or a range a-b, got "${raw}"`);
    const confidence = get('confidence');
    if (confidence !== 'high' && confidence !== 'medium' && confidence !== 'low') {
      throw new InputError(file, where('confidence'), `expected high, medium or low, got "${confidence}"`);
    }
    if (!get('source')) throw new InputError(file, where('source'), 'expected the source of the figure');
    return {
      id,
      event_id: get('event_id'),
      date,
      platform: get('platform'),
      metric: get('metric'),
      value,
      low,
      high,
      unit: get('unit'),
      geography: get('geography'),
      window: get('window'),
      source: get('source'),
      url: get('url'),
      confidence,
      notes: get('notes'),
    };
  });
}

let cache: Map<string, ReportedFigure> | undefined;

/** The project's figures by id (read once). */
export function figureIndex(): Map<string, ReportedFigure> {
  cache ??= new Map(readFigures().map((f) => [f.id, f]));
  return cache;
}
