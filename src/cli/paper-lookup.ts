/** `paper` and `similar`: the paper a typed id or title means, or the candidates / closest papers and the failure's exit code. */
import type { Paper } from '../corpus/types.js';
import { AppError } from '../errors.js';
import { resolvePaper, suggestPapers } from '../index/paper-resolver.js';
import type { PaperHit, SearchOptions } from '../index/search.js';
import type { CorpusSnapshot } from '../index/search-store.js';
import { printFailure } from './output.js';
import type { CliIO } from './types.js';

interface Lookup {
  store: Pick<CorpusSnapshot, 'papers' | 'paperById'>;
  search(query: string, opts?: SearchOptions): Promise<PaperHit[]>;
}

const listed = (papers: Paper[]) => papers.map((p) => `\n  ${p.id}  ${p.title}`).join('');

/** The paper, or the exit code after printing why there is not exactly one (as text on stderr, or JSON with the candidates). */
export async function lookupPaper(io: CliIO, retriever: Lookup, query: string, opts: { json: boolean }): Promise<Paper | number> {
  const r = resolvePaper(retriever.store, query);
  if (r.kind === 'found') return r.paper;
  const q = `"${query.slice(0, 100)}"`;
  if (r.kind === 'ambiguous') {
    const papers = r.candidates.map((c) => c.paper);
    const head =
      r.total === 1 ? `No paper is titled ${q}; the one close match:` : `${q} matches ${r.total} papers; give the id or the full title:`;
    const more = r.total > papers.length ? `\n  (${papers.length} of ${r.total} shown)` : '';
    return printFailure(io, new AppError('PAPER_AMBIGUOUS', `${head}${listed(papers)}${more}`), {
      ...opts,
      extra: { total: r.total, candidates: r.candidates.map((c) => ({ paperId: c.paper.id, title: c.paper.title, match: c.match })) },
    });
  }
  const suggestions = await suggestPapers(retriever, query);
  const text = `No paper matches ${q}. ${suggestions.length ? `The closest papers:${listed(suggestions)}` : 'Try `research-bot search`.'}`;
  return printFailure(io, new AppError('PAPER_NOT_FOUND', text), {
    ...opts,
    extra: { suggestions: suggestions.map((p) => ({ paperId: p.id, title: p.title })) },
  });
}
