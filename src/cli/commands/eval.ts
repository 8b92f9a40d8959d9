import { formatEvalTable, readQuestions, runEval, selectSplit } from '../../answer/eval.js';
import { createChatModel } from '../../answer/llm.js';
import { openRetriever } from '../../context.js';
import { AppError } from '../../errors.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { jsonOpt, requireText } from '../args.js';
import { printJson } from '../output.js';
import type { Command } from '../types.js';

export const evalCommand: Command = {
  summary: 'Evaluate retrieval, abstention, numeric answers and citations on a JSONL question set.',
  usage: 'research-bot eval <questions.jsonl> [--split tuning|heldout] [--json]',
  options: { split: { type: 'string' }, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const file = requireText(pos.join(' '), 'questions file');
    const { questions: all, errors } = await readQuestions(file);
    const questions = selectSplit(all, v.split as string | undefined);
    if (!questions.length)
      throw new AppError('QUESTION_INVALID', `No usable questions in ${file}${errors.length ? ` (${errors[0]})` : ''}.`);
    const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
    const report = {
      ...(await runEval({ retriever, chat: createChatModel(config), logger, abstainThreshold: config.abstainThreshold }, questions)),
      errors,
    };
    if (v.json) printJson(io, report);
    else io.out(formatEvalTable(report));
    return 0;
  },
};
