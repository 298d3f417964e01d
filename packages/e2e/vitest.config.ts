import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  test: { name: 'e2e', testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false },
});
