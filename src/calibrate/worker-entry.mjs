// Entry of a calibration worker thread: lets the TypeScript sources run as they are (tsx).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
