import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: { name: 'dashboard', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
});
