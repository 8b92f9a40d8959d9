import { summarizeTopic } from '../../answer/engine.js';
import { createChatModel } from '../../answer/llm.js';
import { openRetriever } from '../../context.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { filterFrom, filterOpts, jsonOpt, requireText } from '../args.js';
import { answerJson, printJson, renderAnswer } from '../output.js';
import type { Command } from '../types.js';

export const summarize: Command = {
  summary: 'A short cited synthesis of what the corpus says about a topic.',
  usage: 'research-bot summarize "<topic>" [--json]',
  options: { ...filterOpts, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const topic = requireText(pos.join(' '), 'topic');
    const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
    const result = await summarizeTopic(
      { retriever, chat: createChatModel(config), logger, abstainThreshold: config.abstainThreshold },
      topic,
      { filter: filterFrom(v) },
    );
    if (v.json) printJson(io, answerJson(result));
    else io.out(renderAnswer(result));
    return 0;
  },
};
