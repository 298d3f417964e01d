import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  test: {
    name: 'sdk',
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
  },
});
