// The shipped calibration (data/calibrated/) is one posterior and one central estimate of it, made
// on the built-in events as they are now: the central estimate every command uses lies inside the
// posterior's 50% region, the posterior has enough draws to give bands, and it was made on these
// versions of the events (readCalibration refuses other versions and other parameter sets).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCalibration } from '../src/calibrate/shipped.ts';
import { unitOf } from '../src/calibrate/space.ts';

const PARAMS = fileURLToPath(new URL('../data/calibrated/params.json', import.meta.url));

describe('the shipped calibration', () => {
  const cal = readCalibration(PARAMS);
  const file = JSON.parse(readFileSync(PARAMS, 'utf8')) as { params: Record<string, number>; events: Record<string, Record<string, number>> };
  const point = unitOf(cal.dims, { params: file.params, events: file.events });

  it('has a posterior of hundreds of draws over every fitted dimension', () => {
    expect(cal.posterior.length).toBeGreaterThanOrEqual(300);
    for (const u of cal.posterior) expect(u).toHaveLength(cal.dims.length);
    // Not one repeated draw: at least a third of the draws are distinct.
    expect(new Set(cal.posterior.map((u) => u.join(','))).size).toBeGreaterThan(cal.posterior.length / 3);
  });

  it('its central estimate lies inside the posterior 50% region', () => {
    // Distance from the posterior mean scaled per dimension (as calibrate chooses the central draw),
    // compared with the same distance of every draw.
    const D = cal.dims.length;
    const N = cal.posterior.length;
    const mean = Array.from({ length: D }, (_, a) => cal.posterior.reduce((s, u) => s + u[a], 0) / N);
    const v = Array.from({ length: D }, (_, a) => cal.posterior.reduce((s, u) => s + (u[a] - mean[a]) ** 2, 0) / N);
    const dist = (u: readonly number[]) => u.reduce((s, x, a) => s + (x - mean[a]) ** 2 / (v[a] + 1e-9), 0);
    const d0 = dist(point);
    const closer = cal.posterior.filter((u) => dist(u) < d0).length / N;
    expect(closer).toBeLessThan(0.5);
  });
});
