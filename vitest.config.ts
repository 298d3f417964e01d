import { defineConfig } from 'vitest/config';

// One vitest project per package; `pnpm test` runs them through turbo, this file lets
// `npx vitest` run everything from the root as well.
export default defineConfig({
  test: { projects: ['packages/*'] },
});
