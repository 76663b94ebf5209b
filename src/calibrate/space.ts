// The search space of a calibration: the behavioural parameters marked `fit: true` in
// src/model/params.ts (shared by all events) and the per-event unknowns each scenario declares
// under `fitted:` (reported separately). Search runs in the unit cube: u = 0..1 maps to min..max,
// on a log scale where the parameter's scale is "log".
import { PARAM_SPECS, paramSpec } from '../model/params.ts';
import { getPath, pathsOf, type LoadedScenario } from '../scenarios/load.ts';
import { EVENT_SEP } from './posterior.ts';

export interface Dim {
  /** "betaReach", or "<event>/<name>" for a per-event quantity. */
  key: string;
  name: string;
  event?: string;
  min: number;
  max: number;
  scale: 'log' | 'linear';
  /** Where the search starts (natural units). */
  start: number;
}

/** A point of the space in natural units. */
export interface Candidate {
  params: Record<string, number>;
  events: Record<string, Record<string, number>>;
}

export interface SpaceOptions {
  /** Behavioural parameters to fit (default: those with fit: true). */
  fit?: readonly string[];
  /** Starting values (default: the parameters' defaults and the scenarios' own values). */
  start?: { params?: Record<string, number>; events?: Record<string, Record<string, number>> };
  /** Leave the per-event unknowns out (they stay at the scenario's value). */
  noFitted?: boolean;
}

export function buildSpace(events: readonly LoadedScenario[], o: SpaceOptions = {}): Dim[] {
  const names = o.fit ?? PARAM_SPECS.filter((s) => s.fit).map((s) => s.name);
  const dims: Dim[] = names.map((name) => {
    const s = paramSpec(name);
    if (!s) throw new Error(`unknown parameter "${name}"`);
    return { key: name, name, min: s.min, max: s.max, scale: s.scale, start: clamp(o.start?.params?.[name] ?? s.default, s.min, s.max) };
  });
  if (!o.noFitted) {
    for (const l of events) {
      const ev = l.scenario.name;
      for (const q of l.scenario.fitted) {
        const own = getPath(l.scenario, pathsOf(q)[0]) as number;
        dims.push({ key: `${ev}${EVENT_SEP}${q.name}`, name: q.name, event: ev, min: q.min, max: q.max, scale: q.scale, start: clamp(o.start?.events?.[ev]?.[q.name] ?? own, q.min, q.max) });
      }
    }
  }
  return dims;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Natural value of a unit coordinate (clamped into [0, 1]), rounded to 5 significant digits. */
export function fromUnit(d: Dim, u: number): number {
  const c = clamp(u, 0, 1);
  const v = d.scale === 'log' ? Math.exp(Math.log(d.min) + c * (Math.log(d.max) - Math.log(d.min))) : d.min + c * (d.max - d.min);
  return clamp(Number(v.toPrecision(5)), d.min, d.max);
}

export function toUnit(d: Dim, v: number): number {
  const c = clamp(v, d.min, d.max);
  return d.scale === 'log' ? (Math.log(c) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : (c - d.min) / (d.max - d.min);
}

export function candidateOf(dims: readonly Dim[], u: readonly number[]): Candidate {
  const c: Candidate = { params: {}, events: {} };
  dims.forEach((d, i) => {
    const v = fromUnit(d, u[i]);
    if (d.event) (c.events[d.event] ??= {})[d.name] = v;
    else c.params[d.name] = v;
  });
  return c;
}

export function unitOf(dims: readonly Dim[], c: Candidate): number[] {
  return dims.map((d) => toUnit(d, (d.event ? c.events[d.event]?.[d.name] : c.params[d.name]) ?? d.start));
}

export function startUnit(dims: readonly Dim[]): number[] {
  return dims.map((d) => toUnit(d, d.start));
}
