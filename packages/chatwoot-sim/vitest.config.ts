import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  test: { name: 'chatwoot-sim', testTimeout: 30_000, hookTimeout: 30_000 },
});
