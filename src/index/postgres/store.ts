/**
 * The Postgres backend's reader. Papers, chunks and term statistics of the live generation are
 * loaded into memory (the answer engine needs them synchronously); lexical and vector search run
 * in Postgres, so several bot processes can share one database.
 *
 * Lexical search: exact BM25F top-k from rb_postings (postingsTopK): every query term's packed
 * postings in one round trip, scored here with exactly LexicalIndex's BM25F (same parameters,
 * lengths, df and summation order, so scores are bit-identical). Generations written before
 * rb_postings are searched through the GIN-indexed tsvector (bm25fTopK, MaxScore, rarest terms
 * first). test/store/parity.test.ts compares the top 5 with the embedded index on eval/dev.jsonl.
 * `lexicalRanking: 'ts_rank'` (Postgres' own order, no idf: Recall@5 0.579 against 0.987, same
 * top 5 as vectra on 1/40) remains for measurement.
 *
 * Vector search, `vectorSearch: 'memory'` (default, PG_VECTOR_SEARCH): the generation's vectors are
 * loaded with the rest of the View into the file store's VectorMatrix (int8 shortlist re-scored
 * exactly past int8MinRows), so both stores return the same vector hits with the same scores and
 * therefore the same hybrid results (pgvector's HNSW index found about half of the exact top 10 at
 * 100k). Costs each reading process the vectors' memory (100k x 384: ~154 MB plus ~38 MB int8) and
 * their transfer at load.
 *
 * `vectorSearch: 'hnsw'`, for vectors that do not fit in every process:
 * `ORDER BY embedding::vector(N) <=> query`, served by the HNSW index of that size over rb_vectors
 * (shared by the generations written since schema v6, each chunk's vector found by its content
 * hash; older generations: their own partial index over rb_chunks), keeping the pinned
 * generation's chunks (iterative scans on pgvector >= 0.8, so LIMIT is honoured past ef_search);
 * depths over 1000 scan exactly.
 */
import type pg from 'pg';
import pgvector from 'pgvector';
import type { Paper } from '../../corpus/types.js';
import { AppError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { bm25fDivisorScore, bm25fTermBound, bm25fTermScore, bm25Idf, bodyDivisor, fieldNorms, MAX_TF, titleDivisor } from '../bm25f.js';
import type { Chunk } from '../chunk.js';
import { kthLargest } from '../kth-largest.js';
import { DEFAULT_INT8_MIN_ROWS, VectorMatrix } from '../vector-matrix.js';
import { type DocHit, GenerationGoneError, type PinnedGeneration, type SearchStore, type TermStats } from '../search-store.js';
import { checkEmbeddingModel, checkQueryVector, type Manifest } from '../manifest.js';
import { connectClient, createPool, describeDatabase, inTransaction, storeError } from './connection.js';
import { ensureSchema, HNSW_MAX_DIMS, vectorAtLeast } from './schema.js';
import { decodePostings } from './postings.js';
import { vectorLiteral, type LexicalStats } from './writer.js';

export type LexicalRanking = 'bm25f' | 'ts_rank';

/** Where vector search runs: the generation's vectors in process memory, or pgvector's HNSW index in the server. */
export type PgVectorSearch = 'memory' | 'hnsw';

export interface PostgresStoreOptions {
  databaseUrl: string;
  logger?: Logger;
  /** Connections per store. Default 4. */
  poolSize?: number;
  /**
   * A search first checks (at most this often, in ms) whether another process made a new
   * generation live, and switches to it. 0: only `refresh()` switches. Default 30 s.
   */
  refreshIntervalMs?: number;
  /** 'bm25f' (default): ts_rank candidates re-ranked by our BM25F. 'ts_rank': Postgres' order as is. */
  lexicalRanking?: LexicalRanking;
  /** 'memory' (default): vectors loaded with the generation, searched as the file store does. 'hnsw': in SQL. */
  vectorSearch?: PgVectorSearch;
  /** In memory mode, vector rows from which searches use the int8 shortlist (VECTOR_INT8_MIN_ROWS). */
  int8MinRows?: number;
  /** Test and bench hook: each lexical read, with the terms it read and how many chunks it returned. */
  onLexicalRead?: (terms: string[], rows: number) => void;
}

/** Term statistics of one generation: corpus size and document frequencies (LexicalIndex's idf). */
export class PgTermStats implements TermStats {
  constructor(
    readonly size: number,
    private readonly dfs: Map<string, number>,
  ) {}

  df(term: string): number {
    return this.dfs.get(term) ?? 0;
  }

  idf(term: string): number {
    return bm25Idf(this.size, this.df(term));
  }
}

interface CandidateRow {
  idx: number;
  title_terms: string;
  body_terms: string;
  len_title: number;
  len_body: number;
}

/** One generation as held in memory; swapped whole by refresh(). */
interface View {
  manifest: Manifest;
  papers: Paper[];
  paperById: Map<string, Paper>;
  chunks: Chunk[];
  lexical: PgTermStats;
  stats: LexicalStats;
  /** Per chunk, BM25F's title and body length divisors (LexicalIndex's, from the same lengths). */
  titleDiv: Float64Array;
  bodyDiv: Float64Array;
  /** The generation's vectors in memory mode (rows in chunk order, chunkOf = chunk idx). */
  matrix?: VectorMatrix;
}

// Chunks per read while loading vectors: one batch (about 6 MB of 384-d vectors) is held besides the matrix.
const VECTOR_LOAD_BATCH = 4096;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Generations written since schema v6 store no tsvector: the ts_rank measurement computes it as migration 1 did.
const TSV = `coalesce(tsv, setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || setweight(to_tsvector('simple'::regconfig, body_terms), 'D'))`;

// Beyond this depth, HNSW (ef_search <= 1000) is no help: scan the generation exactly.
const MAX_INDEXED_DEPTH = 1000;

function viewHasVectors(view: View): boolean {
  return Boolean(view.manifest.embedding) && view.manifest.counts.vectors > 0;
}

/** The query's terms that this generation has (the rest cannot match). */
function knownTerms(view: View, terms: Map<string, number>): Array<[string, number]> {
  return [...terms].filter(([t]) => view.lexical.df(t) > 0);
}

function finiteVector(vector: number[]): number[] {
  if (!vector.every(Number.isFinite)) throw new AppError('EMBEDDING_FAILED', 'The embedding endpoint returned a vector with non-numbers.');
  return vector;
}

/** A tsquery literal for one term: quoted, so no term can inject tsquery operators. */
function tsLiteral(term: string): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The generation's vectors, read in chunk idx order in batches into a VectorMatrix: pgvector's
 * binary form (vector_send: big-endian float4s, the same float32s the file store holds) as base64,
 * a third more bytes than raw but no float printing and parsing. Binary result format would save
 * that third, but PGlite's socket server mangles binary results (bytes >= 0x80 become U+FFFD).
 * Generations written before rb_vectors hold their vectors in rb_chunks.embedding.
 */
async function loadMatrix(
  c: pg.PoolClient,
  generation: string,
  manifest: Manifest,
  stats: LexicalStats,
  url: string,
): Promise<VectorMatrix> {
  const dims = manifest.embedding!.dimensions;
  const sql = stats.sharedVectors
    ? `SELECT c.idx, encode(vector_send(v.embedding), 'base64') AS e FROM rb_chunks c JOIN rb_vectors v ON v.content_hash = c.content_hash
        WHERE c.generation = $1 AND c.idx >= $2 AND c.idx < $3 ORDER BY c.idx`
    : `SELECT idx, encode(vector_send(embedding), 'base64') AS e FROM rb_chunks
        WHERE generation = $1 AND idx >= $2 AND idx < $3 AND embedding IS NOT NULL ORDER BY idx`;
  const corrupt = (why: string) =>
    new AppError('INDEX_CORRUPT', `Generation ${generation} in ${describeDatabase(url)}: ${why}. Run \`research-bot ingest --force\`.`);
  const row = new Float32Array(dims);
  const rowBytes = new Uint8Array(row.buffer);
  try {
    return await VectorMatrix.fill(manifest.counts.vectors, dims, async (add) => {
      for (let from = 0; from < manifest.counts.chunks; from += VECTOR_LOAD_BATCH) {
        const r = await c.query<{ idx: number; e: string }>(sql, [generation, from, from + VECTOR_LOAD_BATCH]);
        for (const x of r.rows) {
          const e = Buffer.from(x.e, 'base64');
          if (e.length !== 4 + 4 * dims || e.readInt16BE(0) !== dims) throw corrupt(`a stored vector does not have ${dims} dimensions`);
          // Big-endian float4s: byte-swapped in place (this host's order), then copied as they are.
          const floats = e.subarray(4);
          rowBytes.set(LITTLE_ENDIAN ? floats.swap32() : floats);
          add(row, x.idx);
        }
      }
    });
  } catch (err) {
    if (err instanceof AppError || (err as { code?: unknown }).code !== undefined) throw err;
    throw corrupt((err as Error).message);
  }
}

async function loadView(pool: pg.Pool, url: string, vectors?: { int8MinRows: number }): Promise<View> {
  // One snapshot: the pointer and the rows it names are read consistently even if an ingest
  // flips the pointer and deletes this generation meanwhile.
  return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (c) => {
    const head = await c.query<{ generation: string; manifest: Manifest; lexical: LexicalStats }>(
      'SELECT m.generation, g.manifest, g.lexical FROM rb_meta m JOIN rb_generations g ON g.generation = m.generation',
    );
    const row = head.rows[0];
    if (!row) {
      throw new AppError(
        'INDEX_MISSING',
        `No index in the Postgres database ${describeDatabase(url)} yet. Run \`research-bot ingest\` (with ` +
          `STORE=postgres), or copy an existing index with \`research-bot migrate-store --from vectra --to ` +
          `postgres\`.`,
      );
    }
    const { generation, manifest, lexical: stats } = row;
    const papers = (await c.query<{ data: Paper }>('SELECT data FROM rb_papers WHERE generation = $1 ORDER BY idx', [generation])).rows.map(
      (r) => r.data,
    );
    const chunkRows = (
      await c.query<{
        idx: number;
        chunk_id: string;
        paper_id: string;
        position: number;
        text: string | null;
        len_title: number;
        len_body: number;
      }>('SELECT idx, chunk_id, paper_id, position, text, len_title, len_body FROM rb_chunks WHERE generation = $1 ORDER BY idx', [
        generation,
      ])
    ).rows;
    const dfRows = (await c.query<{ term: string; df: number }>('SELECT term, df FROM rb_term_df WHERE generation = $1', [generation]))
      .rows;

    const paperById = new Map(papers.map((p) => [p.id, p]));
    const chunks = chunkRows.map((r, i): Chunk => {
      const paper = paperById.get(r.paper_id);
      if (r.idx !== i)
        throw new AppError(
          'INDEX_CORRUPT',
          `Generation ${generation} in ${describeDatabase(url)} is missing chunk ${i}. Run \`research-bot ingest --force\`.`,
        );
      if (!paper)
        throw new AppError(
          'INDEX_CORRUPT',
          `Chunk ${r.chunk_id} of generation ${generation} names an unknown paper. Run \`research-bot ingest --force\`.`,
        );
      return {
        id: r.chunk_id,
        paperId: r.paper_id,
        title: paper.title,
        text: r.text ?? paper.abstract,
        position: r.position,
        sources: paper.sources,
      };
    });
    if (papers.length !== manifest.counts.papers || chunks.length !== manifest.counts.chunks || stats.n !== chunks.length) {
      throw new AppError(
        'INDEX_CORRUPT',
        `Generation ${generation} in ${describeDatabase(url)} holds ${papers.length} papers and ${chunks.length} ` +
          `chunks; its manifest says ${manifest.counts.papers} and ${manifest.counts.chunks}. Run \`research-bot ` +
          `ingest --force\`.`,
      );
    }
    const lexical = new PgTermStats(stats.n, new Map(dfRows.map((r) => [r.term, r.df])));
    const norms = fieldNorms(stats.params, stats.avgTitle, stats.avgBody);
    const titleDiv = Float64Array.from(chunkRows, (r) => titleDivisor(stats.params, norms, r.len_title));
    const bodyDiv = Float64Array.from(chunkRows, (r) => bodyDivisor(stats.params, norms, r.len_body));
    const view: View = { manifest, papers, paperById, chunks, lexical, stats, titleDiv, bodyDiv };
    if (vectors && viewHasVectors(view)) {
      view.matrix = await loadMatrix(c, generation, manifest, stats, url);
      view.matrix.useQuantisedScan(vectors.int8MinRows);
    }
    return view;
  });
}

export class PostgresStore implements SearchStore {
  readonly kind = 'postgres' as const;
  private lastCheck = Date.now();
  private refreshing?: Promise<boolean>;
  private closed = false;
  private readonly logger: Logger;
  private readonly refreshIntervalMs: number;
  readonly lexicalRanking: LexicalRanking;

  // Pooled connections that already carry the vector-search session settings.
  private readonly configured = new WeakSet<pg.PoolClient>();

  private constructor(
    private readonly pool: pg.Pool,
    private view: View,
    private readonly opts: PostgresStoreOptions,
    private readonly session: string[],
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.refreshIntervalMs = opts.refreshIntervalMs ?? 30_000;
    this.lexicalRanking = opts.lexicalRanking ?? 'bm25f';
  }

  /** Run pending migrations, then load the live generation. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const url = opts.databaseUrl;
    const logger = opts.logger ?? silentLogger;
    const setup = await connectClient(url, logger);
    let vector: string;
    try {
      vector = (await ensureSchema(setup)).vector;
    } catch (err) {
      throw storeError(err, url, 'preparing the schema');
    } finally {
      await setup.end().catch(() => undefined);
    }
    // HNSW stops at ef_search candidates; iterative scans (pgvector 0.8+) keep going until LIMIT is met.
    const session = vectorAtLeast(vector, 0, 8)
      ? ['SET hnsw.iterative_scan = strict_order', 'SET hnsw.ef_search = 100']
      : vectorAtLeast(vector, 0, 5)
        ? ['SET hnsw.ef_search = 1000']
        : [];
    const pool = createPool(url, { max: opts.poolSize ?? 4, logger });
    try {
      return new PostgresStore(pool, await loadView(pool, url, memoryVectors(opts)), opts, session);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw storeError(err, url, 'loading the index');
    }
  }

  get manifest(): Manifest {
    return this.view.manifest;
  }
  get generation(): string {
    return this.view.manifest.generation;
  }
  get papers(): Paper[] {
    return this.view.papers;
  }
  get paperById(): Map<string, Paper> {
    return this.view.paperById;
  }
  get chunks(): Chunk[] {
    return this.view.chunks;
  }
  get termStats(): PgTermStats {
    return this.view.lexical;
  }
  get hasVectors(): boolean {
    return viewHasVectors(this.view);
  }

  /**
   * The generation served now, for a whole search or answer: its searches run on that
   * generation even if this store switches meanwhile (they never refresh).
   */
  async pin(): Promise<PinnedGeneration> {
    await this.maybeRefresh();
    const view = this.view;
    // Nothing found where the statistics promise matches: the generation's rows are gone.
    const gone = async (hits: DocHit[], expected: boolean): Promise<DocHit[]> => {
      if (hits.length > 0 || !expected) return hits;
      if (view === this.view) await this.refresh();
      if (view !== this.view) throw new GenerationGoneError(view.manifest.generation);
      return hits;
    };
    return {
      generation: view.manifest.generation,
      manifest: view.manifest,
      papers: view.papers,
      paperById: view.paperById,
      chunks: view.chunks,
      termStats: view.lexical,
      hasVectors: viewHasVectors(view),
      lexicalSearch: async (terms, depth, signal) => {
        signal?.throwIfAborted();
        const known = knownTerms(view, terms);
        return gone(await this.lexicalIn(view, known, depth), depth > 0 && known.length > 0);
      },
      vectorSearch: async (vector, depth, signal) => {
        signal?.throwIfAborted();
        if (!viewHasVectors(view) || depth <= 0) return [];
        return gone(await this.vectorIn(view, finiteVector(vector), depth), true);
      },
      checkQueryVector: (vector) => checkQueryVector(view.manifest, vector),
    };
  }

  /** The generation rb_meta points at now (undefined if none). */
  async latestGeneration(): Promise<string | undefined> {
    try {
      return (await this.pool.query<{ generation: string }>('SELECT generation FROM rb_meta')).rows[0]?.generation;
    } catch (err) {
      throw storeError(err, this.opts.databaseUrl, 'reading the live generation');
    }
  }

  /**
   * Switch to the live generation if another process made a new one live. Resolves to true when
   * it switched. Papers, chunks and statistics are replaced together, synchronously.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        this.lastCheck = Date.now();
        const live = await this.latestGeneration();
        if (!live || live === this.generation) return false;
        const previous = this.generation;
        try {
          this.view = await loadView(this.pool, this.opts.databaseUrl, memoryVectors(this.opts));
        } catch (err) {
          throw storeError(err, this.opts.databaseUrl, 'loading the new generation');
        }
        this.logger.info('switched to a new index generation', { previous, generation: this.generation, papers: this.papers.length });
        return true;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async maybeRefresh(): Promise<void> {
    if (this.refreshIntervalMs <= 0 || Date.now() - this.lastCheck < this.refreshIntervalMs) return;
    await this.refresh().catch((err: unknown) =>
      this.logger.warn('could not check for a new index generation; serving the current one', { err }),
    );
  }

  /**
   * Run one search against a consistent view. Hits index into the view's chunks, so a search
   * that raced with a refresh is run again on the new view; one that found nothing where
   * something must match (its generation was deleted under it) switches to the live one first.
   */
  private async searchView(run: (view: View) => Promise<DocHit[]>, expectsHits: (view: View) => boolean): Promise<DocHit[]> {
    for (let attempt = 0; ; attempt++) {
      const view = this.view;
      const hits = await run(view);
      if (attempt < 3 && view !== this.view) continue;
      if (attempt < 3 && hits.length === 0 && expectsHits(view) && (await this.refresh())) continue;
      return hits;
    }
  }

  async lexicalSearch(terms: Map<string, number>, depth: number, signal?: AbortSignal): Promise<DocHit[]> {
    signal?.throwIfAborted();
    await this.maybeRefresh();
    return this.searchView(
      (view) => this.lexicalIn(view, knownTerms(view, terms), depth),
      (view) => depth > 0 && knownTerms(view, terms).length > 0,
    );
  }

  private async lexicalIn(view: View, known: Array<[string, number]>, depth: number): Promise<DocHit[]> {
    if (!known.length || depth <= 0) return [];
    const generation = view.manifest.generation;
    const tsquery = known.map(([t]) => tsLiteral(t)).join(' | ');
    try {
      if (this.lexicalRanking === 'ts_rank') {
        const r = await this.pool.query<{ idx: number; score: number }>(
          `SELECT idx, ts_rank(v, q) AS score FROM (SELECT idx, ${TSV} AS v FROM rb_chunks WHERE generation = $1) c, to_tsquery('simple', $2) q
            WHERE v @@ q ORDER BY score DESC, idx LIMIT $3`,
          [generation, tsquery, depth],
        );
        return r.rows.map((x) => ({ doc: x.idx, score: Number(x.score) }));
      }
      return await (view.stats.postings ? this.postingsTopK(view, known, depth) : this.bm25fTopK(view, known, depth));
    } catch (err) {
      throw storeError(err, this.opts.databaseUrl, 'searching');
    }
  }

  /**
   * Exact BM25F top `depth`, reading terms rarest first. A question's common stems match nearly
   * every chunk (reading them is a scan of the generation), but their idf is tiny: once the
   * depth-th score found so far exceeds the most the unread terms could add together
   * (bm25fTermBound, tf -> infinity), no unread chunk can enter the list and the search stops.
   * Every chunk read is scored with all query terms, so the scores are LexicalIndex's.
   */
  private async bm25fTopK(view: View, known: Array<[string, number]>, depth: number): Promise<DocHit[]> {
    const params = view.stats.params;
    const order = known
      .map(([t, w]) => ({ t, df: view.lexical.df(t), ub: bm25fTermBound(params, w, view.lexical.idf(t)) }))
      .sort((a, b) => a.df - b.df || b.ub - a.ub);
    // Terms per round: the rarest unread one, plus more while their postings fit this budget (fewer
    // round trips); a small share of the generation, or small corpora would read everything in one go.
    const budget = Math.min(Math.max(depth * 4, 400), Math.ceil(view.stats.n / 50));
    const read: string[] = [];
    let hits: DocHit[] = [];
    let i = 0;
    while (i < order.length) {
      if (read.length > 0) {
        const theta = hits.length >= depth ? hits[depth - 1].score : 0;
        let rest = 0;
        for (let j = i; j < order.length; j++) rest += order[j].ub;
        // The margin covers rounding in the summed bounds; a chunk at exactly theta ties and may not be dropped.
        if (rest * (1 + 1e-9) < theta) break;
      }
      const batch = [order[i].t];
      let postings = order[i++].df;
      while (i < order.length && postings + order[i].df <= budget) {
        postings += order[i].df;
        batch.push(order[i++].t);
      }
      const rows = await this.chunksWith(view.manifest.generation, batch, read);
      read.push(...batch);
      this.opts.onLexicalRead?.(batch, rows.length);
      if (rows.length) hits = [...hits, ...bm25f(view, known, rows)].sort((a, b) => b.score - a.score || a.doc - b.doc);
    }
    return hits.slice(0, depth);
  }

  /**
   * Exact BM25F top `depth` from rb_postings, in one round trip: the postings of every query term
   * (one row each, found through the primary key, packed by postings.ts), scored here exactly as
   * LexicalIndex scores them: term by term in query order into one accumulator, so the sums and
   * the ranking are bit-identical. The retriever asks for the best 1,000 chunks, whose 1,000th
   * score is too low to skip a question's common stems (MaxScore read them anyway, one round trip
   * each, and re-fetched the candidates' terms); packed, all of a question's postings at 100k
   * papers are about 0.2 MB.
   */
  private async postingsTopK(view: View, known: Array<[string, number]>, depth: number): Promise<DocHit[]> {
    const generation = view.manifest.generation;
    // Unnamed statement: a named one would collide on servers that share one session between
    // connections (PGlite here, a transaction-mode PgBouncer in production).
    // base64: bytea's text form (hex) doubles the bytes, and moving them is most of a search.
    const r = await this.pool.query<{ term: string; postings: string }>(
      `SELECT term, encode(postings, 'base64') AS postings FROM rb_postings WHERE generation = $1 AND term = ANY($2::text[])`,
      [generation, known.map(([t]) => t)],
    );
    // No rows where the statistics promise some: the generation was deleted under this search.
    if (!r.rows.length) return [];
    const lists = new Map(r.rows.map((row) => [row.term, Buffer.from(row.postings, 'base64')]));
    const codec = view.stats.postingCodec ?? 'fixed8';
    const params = view.stats.params;
    const n = view.chunks.length;
    const acc = new Float64Array(n);
    const { titleDiv, bodyDiv } = view;
    let read = 0;
    for (const [term, weight] of known) {
      const buf = lists.get(term);
      if (!buf)
        throw new AppError('INDEX_CORRUPT', `Generation ${generation} has no postings for "${term}". Run \`research-bot ingest --force\`.`);
      const df = view.lexical.df(term);
      const idf = view.lexical.idf(term);
      const { docs, tfTitle, tfBody } = decodePostings(buf, codec, df, n);
      for (let j = 0; j < df; j++) {
        const d = docs[j];
        acc[d] += bm25fDivisorScore(params, weight, idf, tfTitle[j], tfBody[j], titleDiv[d], bodyDiv[d]);
      }
      read += df;
    }
    this.opts.onLexicalRead?.(
      known.map(([t]) => t),
      read,
    );
    return topOf(acc, depth);
  }

  /** Chunks holding any of `terms` and none of `readBefore` (those were scored already). */
  private async chunksWith(generation: string, terms: string[], readBefore: string[]): Promise<CandidateRow[]> {
    const q = (ts: string[]) => ts.map(tsLiteral).join(' | ');
    const r = await this.pool.query<CandidateRow>(
      `SELECT idx, title_terms, body_terms, len_title, len_body FROM rb_chunks
        WHERE generation = $1 AND tsv @@ to_tsquery('simple', $2)${readBefore.length ? ` AND NOT (tsv @@ to_tsquery('simple', $3))` : ''}`,
      readBefore.length ? [generation, q(terms), q(readBefore)] : [generation, q(terms)],
    );
    return r.rows;
  }

  async vectorSearch(vector: number[], depth: number, signal?: AbortSignal): Promise<DocHit[]> {
    signal?.throwIfAborted();
    if (!this.hasVectors || depth <= 0) return [];
    finiteVector(vector);
    return this.searchView(
      (view) => this.vectorIn(view, vector, depth),
      (view) => view.manifest.counts.vectors > 0,
    );
  }

  private async vectorIn(view: View, vector: number[], depth: number): Promise<DocHit[]> {
    checkQueryVector(view.manifest, vector);
    const matrix = view.matrix;
    if (matrix) return matrix.search(vector, depth).map((h) => ({ doc: matrix.chunkOf[h.row], score: h.score }));
    const dims = view.manifest.embedding!.dimensions;
    if (!Number.isInteger(dims) || dims < 1)
      throw new AppError('INDEX_CORRUPT', `The index manifest names ${String(dims)} embedding dimensions.`);
    const exact = depth > MAX_INDEXED_DEPTH || dims > HNSW_MAX_DIMS;
    // The cast to vector(N) matches the writer's partial HNSW index of that size; the exact form does not use it.
    // Shared vectors (rb_vectors): the index is walked in distance order over every generation's vectors,
    // keeping those the pinned generation holds (found through rb_chunks_hash); the iterative scan goes on
    // past ef_search until LIMIT of them are found.
    const sql = view.stats.sharedVectors
      ? exact
        ? `SELECT c.idx, v.embedding <=> $2::vector AS distance FROM rb_chunks c JOIN rb_vectors v ON v.content_hash = c.content_hash
            WHERE c.generation = $1 ORDER BY v.embedding <=> $2::vector, c.idx LIMIT $3`
        : `SELECT c.idx, v.embedding::vector(${dims}) <=> $2::vector(${dims}) AS distance
             FROM rb_vectors v JOIN rb_chunks c ON c.content_hash = v.content_hash AND c.generation = $1
            WHERE vector_dims(v.embedding) = ${dims} ORDER BY v.embedding::vector(${dims}) <=> $2::vector(${dims}) LIMIT $3`
      : exact
        ? `SELECT idx, embedding <=> $2::vector AS distance FROM rb_chunks
            WHERE generation = $1 AND embedding IS NOT NULL ORDER BY embedding <=> $2::vector, idx LIMIT $3`
        : `SELECT idx, embedding::vector(${dims}) <=> $2::vector(${dims}) AS distance FROM rb_chunks
            WHERE generation = $1 AND vector_dims(embedding) = ${dims} ORDER BY embedding::vector(${dims}) <=> $2::vector(${dims}) LIMIT $3`;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      if (!this.configured.has(client)) {
        for (const setting of this.session) await client.query(setting);
        this.configured.add(client);
      }
      const r = await client.query<{ idx: number; distance: number }>(sql, [view.manifest.generation, vectorLiteral(vector), depth]);
      return r.rows.map((x) => ({ doc: x.idx, score: 1 - Number(x.distance) })).sort((a, b) => b.score - a.score || a.doc - b.doc);
    } catch (err) {
      throw storeError(err, this.opts.databaseUrl, 'searching vectors');
    } finally {
      client?.release();
    }
  }

  /** The stored vectors of the current generation, in chunk order (for migrate-store). */
  async readVectors(): Promise<Float32Array[] | undefined> {
    if (!this.hasVectors) return undefined;
    const r = await this.pool.query<{ e: string }>(
      this.view.stats.sharedVectors
        ? 'SELECT v.embedding::text AS e FROM rb_chunks c JOIN rb_vectors v USING (content_hash) WHERE c.generation = $1 ORDER BY c.idx'
        : 'SELECT embedding::text AS e FROM rb_chunks WHERE generation = $1 ORDER BY idx',
      [this.generation],
    );
    return r.rows.map((x) => Float32Array.from(pgvector.fromSql(x.e) as number[]));
  }

  checkEmbeddingModel(model: string | undefined): void {
    checkEmbeddingModel(this.manifest, model);
  }

  checkQueryVector(vector: number[]): void {
    checkQueryVector(this.manifest, vector);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * LexicalIndex's BM25F, term for term and in the same order, so scores are bit-identical to the
 * embedded backend's (tf capped at 65535 as there; lengths and averages from the same tokens).
 */
function bm25f(view: View, known: Array<[string, number]>, rows: CandidateRow[]): DocHit[] {
  const params = view.stats.params;
  const norms = fieldNorms(params, view.stats.avgTitle, view.stats.avgBody);
  const idf = known.map(([t]) => view.lexical.idf(t));
  const slot = new Map(known.map(([t], i) => [t, i]));
  const tfT = new Uint32Array(known.length);
  const tfB = new Uint32Array(known.length);
  const count = (text: string, into: Uint32Array) => {
    into.fill(0);
    if (!text) return;
    for (const tok of text.split(' ')) {
      const i = slot.get(tok);
      if (i !== undefined) into[i]++;
    }
  };
  const hits: DocHit[] = [];
  for (const row of rows) {
    count(row.title_terms, tfT);
    count(row.body_terms, tfB);
    let score = 0;
    for (let i = 0; i < known.length; i++) {
      const t = Math.min(tfT[i], MAX_TF);
      const b = Math.min(tfB[i], MAX_TF);
      if (t === 0 && b === 0) continue;
      score += bm25fTermScore(params, norms, known[i][1], idf[i], t, b, row.len_title, row.len_body);
    }
    if (score > 0) hits.push({ doc: row.idx, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
}

/** The `k` best positive entries of `scores` as hits, best first (ties: lower doc first). */
function topOf(scores: Float64Array, k: number): DocHit[] {
  let positive = 0;
  for (let d = 0; d < scores.length; d++) if (scores[d] > 0) positive++;
  const values = new Float64Array(positive);
  for (let d = 0, i = 0; d < scores.length; d++) if (scores[d] > 0) values[i++] = scores[d];
  const floor = positive > k ? kthLargest(values, k) : 0;
  const hits: DocHit[] = [];
  for (let d = 0; d < scores.length; d++) if (scores[d] > 0 && scores[d] >= floor) hits.push({ doc: d, score: scores[d] });
  return hits.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
}

/** What loadView needs to load vectors into memory, or undefined when they are searched in SQL. */
function memoryVectors(opts: PostgresStoreOptions): { int8MinRows: number } | undefined {
  return (opts.vectorSearch ?? 'memory') === 'memory' ? { int8MinRows: opts.int8MinRows ?? DEFAULT_INT8_MIN_ROWS } : undefined;
}

/** True when the database holds a live generation (runs pending migrations first). */
export async function postgresIndexExists(databaseUrl: string, logger: Logger = silentLogger): Promise<boolean> {
  const client = await connectClient(databaseUrl, logger);
  try {
    await ensureSchema(client);
    return (await client.query('SELECT 1 FROM rb_meta')).rows.length > 0;
  } catch (err) {
    throw storeError(err, databaseUrl, 'looking for an index');
  } finally {
    await client.end().catch(() => undefined);
  }
}
