// PROJECTION: what if Russia blocks Telegram on 1 April 2026 (see docs/events.md).
// Usage: npx tsx src/scenarios/russia-telegram-block-2026-whatif.ts [--seed N] [--agents N] [--out DIR] [--params FILE]
import { runEventScript } from './script.ts';

await runEventScript('russia-telegram-block-2026-whatif');
