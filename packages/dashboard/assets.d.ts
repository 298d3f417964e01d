/** Absolute path of the built dashboard: `index.html` and the hashed files under `assets/`. */
export declare const dashboardDir: string;
