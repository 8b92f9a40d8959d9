/** Registered for every test file (vitest setupFiles): no child process outlives its test. */
import { afterAll, afterEach } from 'vitest';
import { killAllChildrenSync, reapChildren } from '../helpers/children.js';

process.once('exit', killAllChildrenSync);

afterEach(async () => {
  const leaked = await reapChildren('test');
  if (leaked.length) throw new Error(`child process(es) outlived their test and were killed: ${leaked.join('; ')}`);
});

afterAll(async () => {
  const leaked = await reapChildren('file');
  if (leaked.length) throw new Error(`child process(es) outlived their test file and were killed: ${leaked.join('; ')}`);
});
