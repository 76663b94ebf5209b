// Facebook buys WhatsApp, February 2014 (see docs/events.md).
// Usage: npx tsx src/scenarios/whatsapp-acquisition-2014.ts [--seed N] [--agents N] [--out DIR] [--params FILE]
import { runEventScript } from './script.ts';

await runEventScript('whatsapp-acquisition-2014');
