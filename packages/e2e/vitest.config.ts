import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@zapgate/source'] },
  ssr: { resolve: { conditions: ['@zapgate/source'] } },
  // run like production: the CLI removes Object.prototype.__proto__ (--disable-proto=delete)
  test: {
    execArgv: ['--disable-proto=delete'],
    name: 'e2e',
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    // libsignal prints whole Signal sessions with console.log when it rotates them; they bury
    // the lines that matter in a failed run's output
    onConsoleLog: (log) => (/^Closing (open )?session/.test(log) ? false : undefined),
  },
});
