import { defineConfig } from 'vite';

// Plain Vite + esbuild's JSX transform for Preact (no preset: no HMR plugin, fewer dependencies).
// `base: './'` keeps asset URLs relative, so the page works wherever the server mounts it.
export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // `pnpm dev` serves the page on Vite and forwards the API to a running server.
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/docs', '/metrics', '/openapi.json'].map((prefix) => [
        prefix,
        process.env.ZAPGATE_URL ?? 'http://localhost:3000',
      ]),
    ),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
