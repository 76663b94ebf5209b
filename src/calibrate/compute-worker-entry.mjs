// Entry of a compute worker thread (compute.ts): lets the TypeScript sources run as they are (tsx).
import { register } from 'tsx/esm/api';

register();
await import('./compute-worker.ts');
