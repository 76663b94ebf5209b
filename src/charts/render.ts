// Headless rendering (Vega-Lite → Vega → SVG → PNG) and schema validation of chart specs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './style.ts';
import { FONT_FILES, loadFontMetrics } from './fontmetrics.ts';

export { FONT_FILES };

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

let metricsInstalled = false;

/**
 * Make Vega measure text with the shipped font's advance widths (process-wide; idempotent).
 * Called by renderSvg; call it yourself before other headless Vega layout.
 */
export function useShippedFontMetrics(): void {
  if (metricsInstalled) return;
  const regular = loadFontMetrics(FONT_FILES[0]);
  const bold = loadFontMetrics(FONT_FILES[1]);
  const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } })
    .textMetrics;
  textMetrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || Number(w) >= 600;
    const s = text == null ? '' : String(text).trim();
    const width = (isBold ? bold : regular).width(s, size);
    // Vega truncates text longer than `limit` with an ellipsis.
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
  metricsInstalled = true;
}

export interface CompileResult {
  /** The compiled Vega spec. */
  vega: vega.Spec;
  /** Vega-Lite's warnings (e.g. dropped encodings); a clean chart has none. */
  warnings: string[];
}

/** Compile a Vega-Lite spec, collecting warnings instead of printing them. */
export function compileSpec(spec: TopLevelSpec): CompileResult {
  const warnings: string[] = [];
  const collect = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: (...args: unknown[]) => {
      throw new Error(args.map(String).join(' '));
    },
    warn: (...args: unknown[]) => (collect(...args), logger),
    info: () => logger,
    debug: () => logger,
  };
  const out = compile(spec, { logger: logger as never });
  return { vega: out.spec as vega.Spec, warnings };
}

/** SVG markup of a Vega-Lite spec, rendered headless (no DOM, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  useShippedFontMetrics();
  const view = new vega.View(vega.parse(compileSpec(spec).vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixel density; 2 gives crisp images for reports and slides. Default 2. */
  scale?: number;
  /** Font files to load; default the shipped DejaVu Sans. */
  fontFiles?: readonly string[];
}

/**
 * PNG bytes of an SVG. Fonts are loaded explicitly and system fonts are not: resvg draws no
 * text at all when it finds no font, so the result must not depend on the machine.
 */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font: {
      fontFiles: [...(options.fontFiles ?? FONT_FILES)],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

// ---------------------------------------------------------------------------------------------
// Validation against the Vega-Lite JSON schema shipped with the installed vega-lite.

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (validator) return validator;
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8'));
  // The schema is draft-07 (its $schema says so), which is Ajv's default dialect.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  // Formats the schema names; URIs are accepted as written, colours checked like Vega-Lite does.
  ajv.addFormat('uri', true);
  ajv.addFormat('uri-reference', true);
  ajv.addFormat('color-hex', /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
  const compiled = ajv.compile(schema);
  validator = compiled;
  return compiled;
}

export interface ValidationResult {
  valid: boolean;
  /** Readable messages, most specific first, e.g. `/vconcat/0/layer/2/encoding/x: unexpected property "feild"`. */
  errors: string[];
}

/**
 * Validate a spec against the Vega-Lite schema. The schema is one big anyOf, so Ajv reports
 * every failed branch; we keep the errors at the deepest paths, and for "additional property"
 * errors only the properties every branch rejects (the real typo, not a sibling branch's field).
 */
export function validateSpec(spec: unknown): ValidationResult {
  const validate = schemaValidator();
  if (validate(spec)) return { valid: true, errors: [] };
  return { valid: false, errors: readableErrors(validate.errors ?? []) };
}

function readableErrors(errors: ErrorObject[], max = 8): string[] {
  const depth = (p: string) => (p ? p.split('/').length : 0);
  const deepest = Math.max(...errors.map((e) => depth(e.instancePath)));
  // Errors at the deepest level first, then one level up (a missing property shows there).
  const picked = errors.filter((e) => depth(e.instancePath) >= deepest - 1);
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of picked) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);

  const out: string[] = [];
  const paths = [...byPath.keys()].sort((a, b) => depth(b) - depth(a));
  for (const path of paths) {
    const errs = byPath.get(path)!;
    const where = path || '(top level)';
    const extra = errs.filter((e) => e.keyword === 'additionalProperties');
    if (extra.length) {
      const counts = new Map<string, number>();
      for (const e of extra) {
        const p = String(e.params.additionalProperty);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      const top = Math.max(...counts.values());
      const props = [...counts].filter(([, n]) => n === top).map(([p]) => `"${p}"`);
      out.push(`${where}: unexpected propert${props.length > 1 ? 'ies' : 'y'} ${props.join(', ')}`);
    }
    const seen = new Set<string>();
    for (const e of errs) {
      if (e.keyword === 'additionalProperties' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
      let msg = e.message ?? e.keyword;
      if (e.keyword === 'enum') msg += `: ${(e.params.allowedValues as unknown[]).slice(0, 12).map((v) => JSON.stringify(v)).join(', ')}`;
      if (e.keyword === 'const') msg = `must be ${JSON.stringify(e.params.allowedValue)}`;
      if (seen.has(msg)) continue;
      seen.add(msg);
      out.push(`${where}: ${msg}`);
    }
  }
  return [...new Set(out)].slice(0, max);
}
