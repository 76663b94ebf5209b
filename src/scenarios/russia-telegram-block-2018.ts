// Russia blocks Telegram, April 2018 - June 2020 (see docs/events.md).
// Usage: npx tsx src/scenarios/russia-telegram-block-2018.ts [--seed N] [--agents N] [--out DIR] [--params FILE]
import { runEventScript } from './script.ts';

await runEventScript('russia-telegram-block-2018');
