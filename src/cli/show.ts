// exodus show: an event's timeline of shocks and its reported figures with sources.
import { loadFor } from './scenario.ts';
import { table, human } from './table.ts';
import { compileShocks } from '../scenarios/compile.ts';
import { DAY_MS, isoTime, parseDate } from '../model/time.ts';
import type { FigureSpec, PlatformSpec, Scenario, ShockSpec } from '../scenarios/schema.ts';
import { getPath, loadScenario, pathsOf } from '../scenarios/load.ts';

export const usage = `Usage: exodus show <event | scenario.yaml>

Print the scenario's regions, platforms, timeline of shocks and its reported figures with sources.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) return console.log(usage), 0;
  if (argv.length !== 1) return console.error(usage), 2;
  const { scenario: s, file, hash } = loadFor('show', argv[0]);
  const t0 = parseDate(s.time.start);
  const out: string[] = [];
  out.push(`${s.title}${s.projection ? '  [PROJECTION: a what-if, not a reconstruction]' : ''}`);
  out.push(`${file}  (hash ${hash})`);
  if (s.description) out.push('', wrap(s.description.trim(), 100, ''));
  out.push('', `Time: ${s.time.start} .. ${s.time.end}, step ${s.time.step}${s.time.schedule.map((c) => `, ${c.step} from ${c.from}`).join('')}`);
  out.push('', table(['region', 'population', 'apps at start (monthly active share; trend a year)', 'bases'], s.regions.map((r) => [
    `${r.id}${r.name ? ` (${r.name})` : ''}`,
    human(r.population) + (r.growth ? ` (${r.growth > 0 ? '+' : ''}${(100 * r.growth).toFixed(1)}%/yr)` : ''),
    Object.entries(r.apps).map(([k, v]) => `${k} ${pct(typeof v === 'number' ? v : v.active)}${typeof v !== 'number' && v.trend ? ` (+${pct(v.trend)})` : ''}`).join(', '),
    Object.entries(r.universes).map(([u, x]) => `${u} ${pct(x)}`).join(', ') || '-',
  ]), ['l', 'r', 'l', 'l']));
  out.push('', table(['platform', 'features', 'price', 'privacy', 'capacity/h', 'launch'], s.platforms.map((p) => [p.id, p.features.join(' '), p.price ? `$${p.price}` : '-', String(p.privacy), capacityText(p.capacity), p.launch ?? '-']), ['l', 'l', 'r', 'r', 'r', 'l']));
  const changes = s.platforms.flatMap((p) => p.changes.map((c) => [String(c.date), p.id, changeText(c), c.label ?? '']));
  if (changes.length) {
    out.push('', 'Dated changes of the apps:');
    out.push(table(['date', 'platform', 'change', 'what'], changes.sort((a, b) => a[0].localeCompare(b[0])), ['l', 'l', 'l', 'l']));
  }
  const shocks = compileShocks(s);
  out.push('', 'Timeline of shocks:');
  out.push(table(['start', 'end', 'type', 'apps', 'regions', 'settings', 'what'], shocks.map((c) => [
    isoTime(t0 + c.start * DAY_MS),
    Number.isFinite(c.end) ? isoTime(t0 + c.end * DAY_MS) : '(open)',
    c.spec.type,
    c.platformIds.join(', '),
    c.spec.regions === 'all' ? 'all' : c.spec.regions.join(', '),
    shockSettings(c.spec),
    c.spec.label ?? '',
  ]), ['l', 'l', 'l', 'l', 'l', 'l', 'l']));
  if (s.fitted.length) {
    out.push('', 'Per-event quantities calibration may fit:');
    out.push(table(['name', 'path', 'prior', 'value in file'], s.fitted.map((q) => [q.name, pathsOf(q).join(', '), priorText(q), String(getPath(s, pathsOf(q)[0]))]), ['l', 'l', 'l', 'r']));
  }
  out.push('', `Reported figures (${s.figures.length}):`);
  for (const f of s.figures) {
    const when = f.window ? `${f.date} + ${f.window}` : f.date;
    const base = f.universe ? `, base ${f.universe}` : '';
    const rel = f.relativeTo ? `; relative to ${relText(f.relativeTo)}` : '';
    out.push(`- ${when}  ${f.platform}  ${f.label}: ${valueText(f)}${f.unit ? ` ${f.unit}` : ''}  [${f.geography ?? f.region}${base}; ${f.confidence}${f.role === 'context' ? '; context, not scored' : `; model: ${f.metric}${f.as !== 'count' ? ` as ${f.as}` : ''}${rel}`}]`);
    out.push(wrap(`${f.source}${f.url ? `  ${f.url}` : ''}`, 100, '    '));
    if (f.reading) out.push(wrap(`reading: ${f.reading}`, 100, '    '));
  }
  console.log(out.join('\n'));
  return 0;
}

/** A figure's value as reported: a number, a range, a bound, or a ratio. */
function valueText(f: FigureSpec): string {
  const n = (x: number) => (f.relativeTo ? `x${Number(x.toPrecision(4))}` : human(x));
  if (f.low !== undefined && f.high !== undefined) return `${n(f.low)}-${n(f.high)}`;
  if (f.low !== undefined && (f.value === undefined || f.value === f.low)) return `at least ${n(f.low)}`;
  if (f.high !== undefined && (f.value === undefined || f.value === f.high)) return `at most ${n(f.high)}`;
  return n(f.value as number);
}

function relText(r: NonNullable<FigureSpec['relativeTo']>): string {
  const parts = [r.platform, r.metric, r.region && `region ${r.region}`, r.universe && `base ${r.universe}`, r.date && `${r.date}${r.window ? ` + ${r.window}` : ''}`, !r.date && r.window && `window ${r.window}`];
  return parts.filter(Boolean).join(' ') || 'itself';
}

function capacityText(c: PlatformSpec['capacity']): string {
  if (c === undefined) return '-';
  if (typeof c === 'number') return human(c);
  return Object.entries(c).map(([r, x]) => `${r} ${human(x)}`).join(', ');
}

function changeText(c: PlatformSpec['changes'][number]): string {
  const parts: string[] = [];
  if (c.add.length) parts.push(`+${c.add.join(' +')}`);
  if (c.remove.length) parts.push(`-${c.remove.join(' -')}`);
  if (c.quality !== undefined) parts.push(`quality ${c.quality}`);
  if (c.privacy !== undefined) parts.push(`privacy ${c.privacy}`);
  if (c.price !== undefined) parts.push(`price $${c.price}`);
  if (c.capacity !== undefined) parts.push(`capacity ${capacityText(c.capacity)}`);
  return parts.join(', ');
}

function priorText(q: Scenario['fitted'][number]): string {
  const range = `${q.min} .. ${q.max}`;
  if (!q.prior) return `uniform${q.scale === 'log' ? ' (log)' : ''} ${range}`;
  return `normal centre ${q.prior.centre}, sd ${q.prior.spread}${q.scale === 'log' ? ' (log10)' : ''} in ${range}`;
}

/** Percent with enough digits for small apps (0.04%, not 0%). */
function pct(x: number): string {
  const v = x * 100;
  return `${v >= 1 ? Number(v.toFixed(1)) : Number(v.toPrecision(2))}%`;
}

/** The numbers that set a shock's strength, e.g. "severity 0.9, media 1". */
function shockSettings(sh: ShockSpec): string {
  const parts: string[] = [];
  const add = (k: string, v: unknown) => v !== undefined && parts.push(`${k} ${typeof v === 'object' ? Object.entries(v as object).map(([r, x]) => `${r}:${x}`).join('/') : String(v)}`);
  if (sh.type === 'outage') add('severity', sh.severity);
  if (sh.type === 'block') add('hardness', sh.hardness);
  if (sh.type === 'throttle') {
    add('slowdown', sh.slowdown);
    if (sh.features.length) add('restricts', sh.features.join('+'));
  }
  if (sh.type === 'trust') add(sh.magnitude >= 0 ? 'drop' : 'rise', Math.abs(sh.magnitude));
  if (sh.type === 'connectivity') {
    add('cut off', sh.severity);
    add('slowdown', sh.slowdown);
    if (sh.exempt.length) add('exempt', sh.exempt.join('+'));
  }
  if (sh.type === 'circumvention') add('hardness', `${sh.hardness > 0 ? '+' : ''}${sh.hardness}`);
  if (sh.type === 'attention' && sh.topic === 'privacy') add('topic', 'privacy');
  if (sh.mentions) add('names', Array.isArray(sh.mentions) ? sh.mentions.join('+') : Object.entries(sh.mentions).map(([k, v]) => (typeof v === 'object' ? `${k}:${Object.entries(v).map(([a, x]) => `${a} ${x}`).join('+')}` : `${k} ${v}`)).join(', '));
  if (sh.type === 'promotion') {
    add('preinstall/day', sh.preinstall);
    add('bonus', sh.bonus);
  }
  if (sh.type === 'announcement') add('threat', sh.threat);
  add('media', sh.media);
  return parts.join(', ');
}

/** Wrap text at `width` columns, each line starting with `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = indent;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line.length + word.length + 1 > width && line.trim()) {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += (line.trim() ? ' ' : '') + word;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}
