// A calibration on disk (data/calibrated/ by default): params.json, posterior.csv, design.csv.
// What `diagnose`, `sensitivity` and the report read back, with the events and the search space
// it was made on (checked: a calibration of other parameters or other event versions is refused).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario, type LoadedScenario } from '../scenarios/load.ts';
import { InputError } from '../scenarios/errors.ts';
import { eventSetups, readDesign, type EventSetup } from './calibrate.ts';
import type { BankRun } from './emulate.ts';
import { readPosterior } from './posterior.ts';
import { buildSpace, unitOf, type Dim } from './space.ts';

export interface ShippedCalibration {
  dir: string;
  events: LoadedScenario[];
  setups: EventSetup[];
  dims: Dim[];
  bank: BankRun[];
  posterior: number[][];
  agents: Record<string, number>;
  seed: number;
  /** The likelihood's learning rate the calibration used (1 for files from before it had one). */
  learningRate: number;
}

export function readCalibration(paramsFile: string): ShippedCalibration {
  if (!existsSync(paramsFile)) throw new InputError(paramsFile, '', 'not found; expected the params.json of a calibration (run exodus calibrate first)');
  const dir = dirname(paramsFile);
  const pf = JSON.parse(readFileSync(paramsFile, 'utf8')) as { calibratedOn?: { name: string; hash: string }[]; fitted?: string[]; agents?: Record<string, number>; seed?: number; learningRate?: number };
  if (!pf.calibratedOn || !pf.fitted || !pf.agents) throw new InputError(paramsFile, '', 'expected a params.json written by exodus calibrate (calibratedOn, fitted, agents)');
  const events = pf.calibratedOn.map((e) => loadScenario(e.name));
  events.forEach((l, i) => {
    if (l.hash !== pf.calibratedOn![i].hash) {
      throw new InputError(paramsFile, `calibratedOn[${i}]`, `the calibration was made on another version of ${l.scenario.name} (hash ${pf.calibratedOn![i].hash}, now ${l.hash}); recalibrate`);
    }
  });
  const dims = buildSpace(events, { fit: pf.fitted.filter((k) => !k.includes('/')) });
  const keys = dims.map((d) => d.key).join(',');
  if (keys !== pf.fitted.join(',')) throw new InputError(paramsFile, 'fitted', `the calibration's parameters (${pf.fitted.join(', ')}) differ from this version's (${keys}); recalibrate`);
  const setups = eventSetups(events);
  const designFile = join(dir, 'design.csv');
  if (!existsSync(designFile)) throw new InputError(designFile, '', 'not found; expected the design of the calibration beside params.json');
  const bank = readDesign(readFileSync(designFile, 'utf8'), dims, setups, designFile);
  const postFile = join(dir, 'posterior.csv');
  const posterior = existsSync(postFile) ? readPosterior(postFile).map((p) => unitOf(dims, { params: p.params, events: p.events })) : [];
  return { dir, events, setups, dims, bank, posterior, agents: pf.agents, seed: pf.seed ?? 1, learningRate: pf.learningRate ?? 1 };
}
