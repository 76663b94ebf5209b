// Entry of a worker thread of a run in blocks (threads.ts): lets the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker.ts');
