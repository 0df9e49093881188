/**
 * @module
 * Where `anygrid serve` finds the built web pages by default: `packages/web/dist` in this
 * checkout (Vite writes it; `npm run build` and `npm start` make it).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/web/dist, from this file's place in packages/cli/dist. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Whether `page` was built in `webDir`. */
export function pageBuilt(webDir: string, page: string): boolean {
  return existsSync(join(webDir, `${page}.html`));
}
