// The Facebook-family outage of 13-14 March 2019 (see docs/events.md).
// Usage: npx tsx src/scenarios/facebook-outage-2019.ts [--seed N] [--agents N] [--out DIR] [--params FILE]
import { runEventScript } from './script.ts';

await runEventScript('facebook-outage-2019');
