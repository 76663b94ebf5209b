// Russia's blocks of foreign messengers and the state messenger Max, 2024-2026 (see docs/events.md).
// Usage: npx tsx src/scenarios/russia-blocks-2024-2026.ts [--seed N] [--agents N] [--out DIR] [--params FILE]
import { runEventScript } from './script.ts';

await runEventScript('russia-blocks-2024-2026');
