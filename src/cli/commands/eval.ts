import { formatEvalTable, parseQuestions, readEvalText, runEval, selectSplit } from '../../answer/eval.js';
import { createChatModel } from '../../answer/llm.js';
import { formatTopicReport, isTopicText, parseTopics, runTopicEval } from '../../answer/topic-eval.js';
import { openRetriever } from '../../context.js';
import { AppError } from '../../errors.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { jsonOpt, requireText } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const evalCommand: Command = {
  summary: 'Evaluate retrieval, abstention, numeric answers and citations on a JSONL question set, or topic summaries on a topic set.',
  usage: 'research-bot eval <questions.jsonl|topics.jsonl> [--split tuning|heldout] [--json]',
  options: { split: { type: 'string' }, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const file = requireText(pos.join(' '), 'questions file');
    const split = v.split as string | undefined;
    /** The lines of the chosen split; none usable is an error naming the first bad line. */
    const usable = <T extends { split?: string }>(all: T[], errors: string[], what: string): T[] => {
      const lines = selectSplit(all, split);
      if (!lines.length) throw new AppError('QUESTION_INVALID', `No usable ${what} in ${file}${errors.length ? ` (${errors[0]})` : ''}.`);
      return lines;
    };
    const deps = async () => ({
      retriever: await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() }),
      chat: createChatModel(config),
      logger,
      abstainThreshold: config.abstainThreshold,
    });
    // Read once: its first line says whether it holds topics or questions.
    const text = await readEvalText(file);
    if (isTopicText(text)) {
      const { topics, errors } = parseTopics(text);
      const report = { ...(await runTopicEval(await deps(), usable(topics, errors, 'topics'))), errors };
      if (v.json) printJson(io, report);
      else io.out(formatTopicReport(report));
      return 0;
    }
    const { questions, errors } = parseQuestions(text);
    const report = { ...(await runEval(await deps(), usable(questions, errors, 'questions'))), errors };
    if (v.json) printJson(io, report);
    else io.out(formatEvalTable(report));
    return 0;
  },
};
