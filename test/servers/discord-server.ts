/** The fake Discord server lives in ./discord/ (what it emulates: ./README.md); this path stays so existing imports keep working. */
export * from './discord/index.js';
