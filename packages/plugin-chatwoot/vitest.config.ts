import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  test: { name: 'plugin-chatwoot', testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
