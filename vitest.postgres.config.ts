import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:postgres`: the store suites plus the real-server-only tests (test/postgres/*.pg.ts).
export default defineConfig({
  test: { ...base.test, include: ['test/store/**/*.test.ts', 'test/postgres/**/*.pg.ts'] },
});
