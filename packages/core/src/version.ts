import { createRequire } from 'node:module';

/** The version of `@zapgate/core` that is running. */
export const coreVersion: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
