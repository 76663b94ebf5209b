// Words for a swept scenario field, from the scenario's own JSON Schema (the descriptions written
// in src/scenarios/schema.ts), so a chart says "Circumvention skill needed to get round it" and
// not only "shocks[11].hardness".
import { scenarioJsonSchema, type Scenario } from '../scenarios/schema.ts';
import { getPath } from '../scenarios/load.ts';

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; const?: unknown; $ref?: string };

let root: Node | undefined;

/** The description of the field at `path` in scenario `s`, if the schema has one. */
export function fieldDescription(s: Scenario, path: string): string | undefined {
  root ??= scenarioJsonSchema() as Node;
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let node: Node | undefined = root;
  let value: unknown = s;
  for (const part of parts) {
    if (!node) return undefined;
    node = pick(node, value);
    if (/^\d+$/.test(part)) node = node?.items;
    else node = node?.properties?.[part];
    value = (value as Record<string, unknown> | undefined)?.[part];
  }
  return node ? (node.description ?? pick(node, value)?.description) : undefined;
}

/** Of a union, the variant that fits the value (a shock's "type", or any with properties). */
function pick(node: Node, value: unknown): Node | undefined {
  const variants = node.oneOf ?? node.anyOf;
  if (!variants) return node;
  const type = (value as { type?: unknown } | undefined)?.type;
  return variants.find((v) => v.properties?.type?.const === type && type !== undefined) ?? variants.find((v) => v.properties || v.items) ?? variants[0];
}

/** A short axis title: `hardness of "What-if: Telegram fully blocked"`, `mean of regions[0].circumvention (RU)`. */
export function fieldTitle(s: Scenario, path: string): string {
  const m = /^(shocks|regions|platforms)\[(\d+)\]\.(.+)$/.exec(path);
  if (!m) return path;
  const item = getPath(s, `${m[1]}[${m[2]}]`) as { label?: string; type?: string; id?: string; name?: string } | undefined;
  const name = m[1] === 'shocks' ? (item?.label ?? `${item?.type} shock ${m[2]}`) : (item?.id ?? `${m[1]}[${m[2]}]`);
  const field = m[3].split('.').reverse().join(' of ');
  return `${field} of "${name}"`;
}
