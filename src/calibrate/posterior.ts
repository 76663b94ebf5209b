// The posterior sample on disk (posterior.csv: draw, param, value, weight; a per-event fitted value
// is named "<event>/<name>") and its use as parameter draws for replicate bands.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCsv, toCsv } from '../scenarios/csv.ts';
import { InputError } from '../scenarios/errors.ts';
import type { PosteriorDraw } from '../charts/types.ts';
import type { ParamDraw } from './replicates.ts';

/** One weighted particle: global parameter values and per-event fitted values. */
export interface Particle {
  params: Record<string, number>;
  events: Record<string, Record<string, number>>;
  weight: number;
}

export const EVENT_SEP = '/';

/** Long rows (draw, param, value, weight), weights normalised to sum 1. */
export function posteriorRows(ps: readonly Particle[]): (PosteriorDraw & { draw: number })[] {
  const total = ps.reduce((a, p) => a + p.weight, 0) || 1;
  const rows: (PosteriorDraw & { draw: number })[] = [];
  ps.forEach((p, draw) => {
    const weight = p.weight / total;
    for (const [param, value] of Object.entries(p.params)) rows.push({ draw, param, value, weight });
    for (const [ev, q] of Object.entries(p.events)) for (const [name, value] of Object.entries(q)) rows.push({ draw, param: `${ev}${EVENT_SEP}${name}`, value, weight });
  });
  return rows;
}

export function posteriorCsv(ps: readonly Particle[]): string {
  return toCsv(['draw', 'param', 'value', 'weight'], posteriorRows(ps).map((r) => [r.draw, r.param, num(r.value), num(r.weight)]));
}

/** Numbers written so that they read back exactly. */
export function num(v: number): string {
  return String(v);
}

export function readPosterior(file: string): Particle[] {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const h = rows[0] ?? [];
  const col = (c: string) => {
    const i = h.indexOf(c);
    if (i < 0) throw new InputError(file, 'header', `expected a column "${c}" (draw, param, value, weight)`);
    return i;
  };
  const [cd, cp, cv, cw] = [col('draw'), col('param'), col('value'), col('weight')];
  const byDraw = new Map<number, Particle>();
  rows.slice(1).forEach((r, k) => {
    const draw = Number(r[cd]);
    const value = Number(r[cv]);
    const weight = Number(r[cw]);
    if (!Number.isInteger(draw) || !Number.isFinite(value) || !Number.isFinite(weight)) throw new InputError(file, `line ${k + 2}`, 'expected draw (integer), param, value and weight (numbers)');
    let p = byDraw.get(draw);
    if (!p) byDraw.set(draw, (p = { params: {}, events: {}, weight }));
    const name = r[cp];
    const i = name.indexOf(EVENT_SEP);
    if (i < 0) p.params[name] = value;
    else (p.events[name.slice(0, i)] ??= {})[name.slice(i + 1)] = value;
  });
  return [...byDraw.keys()].sort((a, b) => a - b).map((k) => byDraw.get(k)!);
}

/** The posterior beside a parameter file (same folder, posterior.csv), if there is one. */
export function posteriorBeside(paramsFile: string): string | undefined {
  const f = join(dirname(paramsFile), 'posterior.csv');
  return existsSync(f) ? f : undefined;
}

/**
 * n equally weighted draws from weighted particles by systematic resampling with a fixed offset
 * (no randomness: the same posterior always gives the same draws), in a fixed interleaved order
 * so that the first few replicates already spread over the posterior.
 */
export function resampleDraws(ps: readonly Particle[], n: number): ParamDraw[] {
  if (ps.length === 0 || n <= 0) return [];
  const total = ps.reduce((a, p) => a + p.weight, 0);
  const out: ParamDraw[] = [];
  let cum = 0;
  let i = 0;
  for (let k = 0; k < n; k++) {
    const u = ((k + 0.5) / n) * total;
    while (i < ps.length - 1 && cum + ps[i].weight < u) cum += ps[i++].weight;
    out.push({ params: ps[i].params, events: ps[i].events });
  }
  // Interleave: 0, n/2, n/4, 3n/4, ... (bit-reversal-like order by stride halving).
  const order: number[] = [];
  const seen = new Set<number>();
  for (let step = n; step >= 1; step = Math.floor(step / 2)) {
    for (let k = 0; k < n; k += step) if (!seen.has(k)) (seen.add(k), order.push(k));
    if (step === 1) break;
  }
  return order.map((k) => out[k]);
}
