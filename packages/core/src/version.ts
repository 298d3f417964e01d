import { createRequire } from 'node:module';

/** The version of `@zapgate/core` that is running. */
// by package name, not by a relative path: the same line works from a bundle (the server's CLI)
export const coreVersion: string = (
  createRequire(import.meta.url)('@zapgate/core/package.json') as { version: string }
).version;
