import { fileURLToPath } from 'node:url';

/** Absolute path of the built dashboard: `index.html` and the hashed files under `assets/`. */
export const dashboardDir = fileURLToPath(new URL('./dist/', import.meta.url));
