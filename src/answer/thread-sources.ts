/**
 * One numbered source list per conversation thread. A paper keeps its number for the life of the
 * thread and new papers get the next numbers. The list is not stored anywhere of its own: it is
 * rebuilt from the thread's answer records (which are stored already renumbered), so it survives
 * restarts and there is one place that knows which paper is [2] in a thread: the records.
 */
import type { Citation, SourceInfo } from './engine.js';

/** What the list needs of a stored answer. */
export interface ThreadAnswer {
  kind: string;
  question: string;
  answer: string;
  abstained: boolean;
  citations: Citation[];
  sources: SourceInfo[];
}

export interface NumberedPaper {
  marker: number;
  paperId: string;
  title: string;
  url: string;
  links: string[];
  date?: string;
}

/**
 * Abstentions cite nothing, so they add nothing to the list. Recaps do: they are written in the
 * thread's numbers (buildThreadRecap), and a recap stored before that numbered on its own is mapped
 * by paper id like any older record, so either way its papers keep (or get the next) thread numbers.
 */
function contributes(r: ThreadAnswer): boolean {
  return !r.abstained;
}

/** A record's papers in the order they join the list: by the record's own marker, cited or not. */
function papersOf(r: { citations: Citation[]; sources: SourceInfo[] }): Array<Citation | SourceInfo> {
  const byId = new Map<string, Citation | SourceInfo>();
  for (const s of [...r.citations, ...r.sources].sort((a, b) => a.marker - b.marker)) if (!byId.has(s.paperId)) byId.set(s.paperId, s);
  return [...byId.values()];
}

export class ThreadSources {
  private readonly byPaper = new Map<string, NumberedPaper>();
  private readonly byMarker = new Map<number, NumberedPaper>();
  /**
   * Thread numbers the latest answer cited, ascending: what "they", "both" and "the former/latter"
   * mean. Ordinals ("the second one") count over the whole list instead (see references.ts).
   */
  lastCited: number[] = [];
  /** The paper the latest answer was about: its first citation. What "it" means. */
  focus: number | undefined;

  static fromRecords(records: ThreadAnswer[]): ThreadSources {
    const list = new ThreadSources();
    for (const r of records) list.take(r);
    return list;
  }

  /** A stored record of the thread, in order: its local→thread number map (empty for one that adds nothing). */
  take(r: ThreadAnswer): Map<number, number> {
    return contributes(r) ? this.add(r) : new Map();
  }

  get size(): number {
    return this.byMarker.size;
  }

  get(marker: number): NumberedPaper | undefined {
    return this.byMarker.get(marker);
  }

  markerOf(paperId: string): number | undefined {
    return this.byPaper.get(paperId)?.marker;
  }

  all(): NumberedPaper[] {
    return [...this.byMarker.values()];
  }

  private assign(s: Citation | SourceInfo): number {
    const known = this.byPaper.get(s.paperId);
    if (known) return known.marker;
    const marker = this.byMarker.size + 1;
    const entry: NumberedPaper = {
      marker,
      paperId: s.paperId,
      title: s.title,
      url: s.url,
      links: s.links,
      ...('date' in s && s.date ? { date: s.date } : {}),
    };
    this.byPaper.set(s.paperId, entry);
    this.byMarker.set(marker, entry);
    return marker;
  }

  /** Take a (renumbered or older, locally numbered) record into the list; returns its local→thread map. */
  add(r: ThreadAnswer): Map<number, number> {
    const map = new Map<number, number>();
    for (const s of papersOf(r)) map.set(s.marker, this.assign(s));
    const cited = r.citations.map((c) => map.get(c.marker)!).filter((m) => m !== undefined);
    // A recap retells the thread; "it" and "they" still mean what the latest answer was about.
    if (cited.length && r.kind !== 'recap') {
      this.focus = cited[0];
      this.lastCited = [...new Set(cited)].sort((a, b) => a - b);
    }
    return map;
  }
}

/** Citation markers in text: [3], [1, 4], [2-3]. */
const MARKERS = /\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]/g;

/** Rewrite [n] markers (ranges and lists expanded) through `map`; fenced and inline code are left alone. */
export function renumberText(text: string, map: Map<number, number>): string {
  return text
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(MARKERS, (whole, body: string) => {
            const out: number[] = [];
            for (const piece of body.split(/\s*,\s*/)) {
              const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(piece);
              const nums = range
                ? Array.from({ length: Math.min(20, Number(range[2]) - Number(range[1]) + 1) }, (_, k) => Number(range[1]) + k)
                : [Number(piece)];
              for (const n of nums) {
                const m = map.get(n);
                if (m === undefined) return whole;
                out.push(m);
              }
            }
            return out.map((m) => `[${m}]`).join('');
          }),
    )
    .join('');
}

/**
 * A fresh answer (markers 1..n of its own) in the thread's numbers: known papers keep theirs, new
 * ones get the next. `list` is updated. Abstentions are left as they are (they cite nothing).
 */
export function renumberForThread<T extends ThreadAnswer>(result: T, list: ThreadSources): T {
  if (!contributes(result)) return result;
  const map = list.add(result);
  const to = <S extends { marker: number }>(s: S): S => ({ ...s, marker: map.get(s.marker) ?? s.marker });
  return {
    ...result,
    answer: renumberText(result.answer, map),
    citations: result.citations.map(to),
    sources: result.sources.map(to),
  };
}
