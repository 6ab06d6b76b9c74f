'use strict';
/**
 * How often the model is called per customer turn: the understanding corpus (test/worker/understanding/
 * corpus: its messages, then its conversations through the booking graph) run against the model path,
 * OpenAIUnderstander with the OpenAI double of the tests (a real HTTP server on loopback), counted as the
 * worker counts it (llm_calls_total, from the same onCall hook) ÷ customer turns. The offline path
 * answers the turns it is confident about; the target is at most 0.5 model calls per turn.
 *
 *   npm run bench:understanding
 *
 * The double answers every call as a model would that adds nothing ('other', no fields), so the
 * pass rates printed beside the call rate show that the model path keeps what the heuristic read. No
 * real model is called and no key is needed (the double accepts any).
 */
require('../redis-sizing/register-ts.js'); // TypeScript sources of the worker and the test harness, without a build

const os = require('node:os');
const { commitOf } = require('../support/worker-harness.js');
const { startOpenAIDouble } = require('../../test/support/openai-double.ts');
const { HeuristicUnderstander } = require('../../services/worker/src/understanding/heuristic.ts');
const { OpenAIUnderstander, createOpenAIClient } = require('../../services/worker/src/understanding/openai.ts');
const { createWorkerMetrics } = require('../../services/worker/src/metrics/worker-metrics.ts');
const { MESSAGES } = require('../../test/worker/understanding/corpus/messages.ts');
const { CONVERSATIONS } = require('../../test/worker/understanding/corpus/conversations.ts');
const { runConversations, runMessages, scoreByClass, scoreTable } = require('../../test/worker/understanding/corpus/run-corpus.ts');

const TARGET_CALLS_PER_TURN = 0.5;

async function main() {
  const double = await startOpenAIDouble();
  const metrics = createWorkerMetrics();
  try {
    const understander = new OpenAIUnderstander({
      client: createOpenAIClient({ apiKey: 'bench-double', baseURL: double.url, maxRetries: 0 }),
      model: 'gpt-4o-mini',
      fallback: new HeuristicUnderstander(),
      // what the worker's hook does (services/worker/src/worker.ts)
      onCall: ({ ok, reason }) => metrics.llmCalls.inc({ outcome: ok ? 'ok' : (reason ?? 'error').split(':')[0] }),
    });
    const started = process.hrtime.bigint();
    const results = [...(await runMessages(understander, MESSAGES)), ...(await runConversations(understander, CONVERSATIONS))];
    const ms = Number(process.hrtime.bigint() - started) / 1e6;

    const turns = results.reduce((n, r) => n + r.turns, 0);
    const calls = (await metrics.llmCalls.get()).values.reduce((n, v) => n + v.value, 0);
    const rate = calls / turns;
    const out = (line) => process.stdout.write(`${line}\n`);
    out(`bench:understanding  commit ${commitOf()}, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${os.platform()} ${os.release()}`);
    out(`corpus: ${MESSAGES.length} messages + ${CONVERSATIONS.length} conversations = ${turns} customer turns, in ${(ms / 1000).toFixed(1)} s`);
    out(`model path (OpenAIUnderstander → OpenAI double): llm_calls_total ${calls}, requests the double received ${double.requests.length}`);
    out(`model calls per customer turn: ${calls} / ${turns} = ${rate.toFixed(3)} (target ≤ ${TARGET_CALLS_PER_TURN}: ${rate <= TARGET_CALLS_PER_TURN ? 'met' : 'NOT met'})`);
    out("corpus pass rate on the model path, per class (the double answers every call 'other', in English, with no fields: a miss here is the model's intent or language taking over):");
    out(scoreTable(scoreByClass(results)));
    if (rate > TARGET_CALLS_PER_TURN) process.exitCode = 1;
  } finally {
    await double.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
