// Attention: news that points people at apps without anything failing (a celebrity's "use
// Signal", a founder's post, a campaign). Its only effects are media attention and the apps it
// names, both applied for every shock in index.ts; nothing in the world changes.
import type { ShockModule } from './types.ts';

export const attention: ShockModule = {
  apply() {},
};
