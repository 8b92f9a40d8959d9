import { answerQuestion } from '../../answer/engine.js';
import { createChatModel } from '../../answer/llm.js';
import { openRetriever } from '../../context.js';
import { createProgress, noProgress } from '../../index/progress.js';
import { filterFrom, filterOpts, jsonOpt, requireText } from '../args.js';
import { answerJson, printJson, renderAnswer } from '../output.js';
import type { Command } from '../types.js';

export const ask: Command = {
  summary: 'Answer a question with citations (LLM when CHAT_MODEL is set, else an extractive digest).',
  usage: 'research-bot ask "<question>" [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--source FILE] [--json]',
  options: { ...filterOpts, ...jsonOpt },
  async run({ config, logger, io }, v, pos) {
    const question = requireText(pos.join(' '), 'question');
    const retriever = await openRetriever(config, { logger, autoIngest: true, progress: v.json ? noProgress : createProgress() });
    const chat = createChatModel(config);
    const streaming = Boolean(chat && !v.json && io.stderrStream?.isTTY);
    const result = await answerQuestion({ retriever, chat, logger, abstainThreshold: config.abstainThreshold }, question, {
      filter: filterFrom(v),
      onToken: streaming ? (d) => io.err(d) : undefined,
    });
    if (streaming) io.err('\n\n');
    if (v.json) printJson(io, answerJson(result));
    else io.out(renderAnswer(result));
    return 0;
  },
};
