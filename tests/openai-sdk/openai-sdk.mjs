// Drives the service with the official `openai` npm SDK (a client nobody here wrote). Run by
// tests/ReportGen.Api.Tests/OpenAiSdkTests.cs with OPENAI_DIR (where npm installed the pinned SDK),
// REPORTGEN_URL, REPORTGEN_KEY and REPORTGEN_MODEL. Prints "ok - ..." per check; exits 1 on the first failure.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(join(process.env.OPENAI_DIR, 'package.json'));
const sdk = require('openai');
const OpenAI = sdk.OpenAI ?? sdk.default;
const model = process.env.REPORTGEN_MODEL;
const client = new OpenAI({ baseURL: `${process.env.REPORTGEN_URL}/v1`, apiKey: process.env.REPORTGEN_KEY, maxRetries: 0 });
const messages = [{ role: 'user', content: 'Once upon a time' }];

async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}: ${error?.stack ?? error}`);
    process.exit(1);
  }
}

await check('models.list gives OpenAI model objects', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    assert.equal(m.object, 'model');
    assert.equal(typeof m.created, 'number');
    assert.equal(typeof m.owned_by, 'string');
    ids.push(m.id);
  }
  assert.ok(ids.includes(model), `${model} not in ${ids}`);
});

await check('models.retrieve finds the model', async () => {
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
});

let plain;
await check('chat.completions.create answers with a fingerprint', async () => {
  plain = await client.chat.completions.create({ model, messages, max_tokens: 12 });
  assert.equal(plain.object, 'chat.completion');
  assert.equal(plain.model, model);
  assert.match(plain.system_fingerprint, /^fp_/);
  assert.ok(plain.choices[0].message.content.length > 0);
  assert.ok(plain.usage.completion_tokens > 0);
});

await check('chat.completions.stream().finalChatCompletion() rebuilds the same answer', async () => {
  const stream = client.chat.completions.stream({ model, messages, max_tokens: 12 });
  let deltas = '';
  stream.on('content', (delta) => { deltas += delta; });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, plain.choices[0].message.content);
  assert.equal(deltas, plain.choices[0].message.content);
  assert.equal(final.model, model);
});

await check('stream_options.include_usage ends the stream with the usage', async () => {
  const stream = await client.chat.completions.create({ model, messages, max_tokens: 12, stream: true, stream_options: { include_usage: true } });
  let last;
  for await (const chunk of stream) last = chunk;
  assert.equal(last.choices.length, 0);
  assert.equal(last.usage.completion_tokens, plain.usage.completion_tokens);
});

await check('a json_schema answer parses, or says it was cut off', async () => {
  const answer = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'Lily' }], max_tokens: 60,
    response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] } } },
  });
  const choice = answer.choices[0];
  if (choice.finish_reason === 'length') assert.throws(() => JSON.parse(choice.message.content));
  else assert.equal(typeof JSON.parse(choice.message.content).age, 'number');
});

await check('a bad request is a BadRequestError naming the parameter', async () => {
  await assert.rejects(client.chat.completions.create({ model, messages, n: 2 }), (error) => {
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.param, 'n');
    return true;
  });
});

await check('a wrong key is an AuthenticationError', async () => {
  const stranger = new OpenAI({ baseURL: `${process.env.REPORTGEN_URL}/v1`, apiKey: 'not-the-key-0123456789', maxRetries: 0 });
  await assert.rejects(stranger.models.list(), (error) => error instanceof OpenAI.AuthenticationError && error.status === 401);
});

await check('an unknown model id is a NotFoundError', async () => {
  await assert.rejects(client.models.retrieve('no-such-model'), (error) => error instanceof OpenAI.NotFoundError && error.status === 404);
});
