// exodus show: an event's timeline of shocks and its reported figures with sources.
import { loadFor } from './scenario.ts';
import { table, human } from './table.ts';
import { compileShocks } from '../model/engine.ts';
import { DAY_MS, isoTime, parseDate } from '../model/time.ts';
import type { ShockSpec } from '../scenarios/schema.ts';

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
  out.push('', table(['region', 'population', 'apps at start (monthly active share)'], s.regions.map((r) => [`${r.id}${r.name ? ` (${r.name})` : ''}`, human(r.population), Object.entries(r.apps).map(([k, v]) => `${k} ${pct(typeof v === 'number' ? v : v.active)}`).join(', ')]), ['l', 'r', 'l']));
  out.push('', table(['platform', 'features', 'price', 'privacy', 'capacity/h', 'launch'], s.platforms.map((p) => [p.id, p.features.join(' '), p.price ? `$${p.price}` : '-', String(p.privacy), p.capacity ? human(p.capacity) : '-', p.launch ?? '-']), ['l', 'l', 'r', 'r', 'r', 'l']));
  const shocks = compileShocks(s);
  out.push('', 'Timeline of shocks:');
  out.push(table(['start', 'end', 'type', 'apps', 'regions', 'settings', 'what'], shocks.map((c) => [
    isoTime(t0 + c.start * DAY_MS),
    Number.isFinite(c.end) ? isoTime(t0 + c.end * DAY_MS) : '(open)',
    c.spec.type,
    c.spec.platforms.join(', '),
    c.spec.regions === 'all' ? 'all' : c.spec.regions.join(', '),
    shockSettings(c.spec),
    c.spec.label ?? '',
  ]), ['l', 'l', 'l', 'l', 'l', 'l', 'l']));
  if (s.fitted.length) {
    out.push('', 'Per-event quantities calibration may fit:');
    out.push(table(['name', 'path', 'range'], s.fitted.map((q) => [q.name, q.path, `${q.min} .. ${q.max} (${q.scale})`]), ['l', 'l', 'l']));
  }
  out.push('', `Reported figures (${s.figures.length}):`);
  for (const f of s.figures) {
    const v = f.low !== undefined && f.high !== undefined ? `${human(f.low)}-${human(f.high)}` : human(f.value!);
    const when = f.window ? `${f.date} + ${f.window}` : f.date;
    out.push(`- ${when}  ${f.platform}  ${f.label}: ${v}${f.unit ? ` ${f.unit}` : ''}  [${f.geography ?? f.region}; ${f.confidence}${f.role === 'context' ? '; context, not scored' : `; model: ${f.metric}${f.as !== 'count' ? ` as ${f.as}` : ''}`}]`);
    out.push(wrap(`${f.source}${f.url ? `  ${f.url}` : ''}`, 100, '    '));
    if (f.reading) out.push(wrap(`reading: ${f.reading}`, 100, '    '));
  }
  console.log(out.join('\n'));
  return 0;
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
  if (sh.type === 'trust') add('drop', sh.magnitude);
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
