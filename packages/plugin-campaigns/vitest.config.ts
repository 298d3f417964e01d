import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  test: { name: 'plugin-campaigns', testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false },
});
