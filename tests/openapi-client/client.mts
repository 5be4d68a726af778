// A client generated from the service's own OpenAPI document (openapi-typescript types + openapi-fetch, pinned), run by
// tests/ReportGen.Api.Tests/OpenApiClientTests.cs: the test generates ./schema.ts from ./openapi.json (what /openapi/v1.json
// served), type-checks this file against it with tsc --strict (a path, parameter or field the document does not describe
// fails there), then runs it with REPORTGEN_URL and REPORTGEN_KEY. At run time every answer must have a status the
// document lists for the operation and, when JSON, match the schema it gives for that status (ajv, pinned): a field the
// document promises but the service leaves out, or a wrong type, fails here. Prints "ok - ..." per check; exits 1 on
// the first failure.
import createClient from 'openapi-fetch';
import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { paths, components } from './schema.js';

type Problem = components['schemas']['ProblemDetails'];

const document = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(document, 'openapi.json');
const mismatches: string[] = [];

const client = createClient<paths, 'application/json' | 'application/problem+json'>({ baseUrl: process.env.REPORTGEN_URL!, headers: { 'X-Api-Key': process.env.REPORTGEN_KEY! } });
client.use({
  async onResponse({ request, response, schemaPath }) {
    const where = `${request.method} ${schemaPath} ${response.status}`;
    const operation = `openapi.json#/paths/${schemaPath.replaceAll('~', '~0').replaceAll('/', '~1')}/${request.method.toLowerCase()}`;
    const media = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    if (!ajv.getSchema(`${operation}/responses/${response.status}`)) mismatches.push(`${where}: the document lists no such answer`);
    else if (/^application\/(.+\+)?json$/.test(media)) {
      const validate = ajv.getSchema(`${operation}/responses/${response.status}/content/${media.replaceAll('/', '~1')}/schema`);
      if (!validate) mismatches.push(`${where}: the document has no ${media} answer`);
      else if (!validate(await response.clone().json())) mismatches.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
    return undefined;
  },
});
const text = 'FINDINGS: Small left pleural effusion. No pneumothorax. Heart size is normal.\nIMPRESSION: Small left pleural effusion.';

async function check(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    assert.deepEqual(mismatches.splice(0), [], 'answers the document does not describe');
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}: ${(error as Error)?.stack ?? error}`);
    process.exit(1);
  }
}

// The typed answer of a call that must succeed.
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) assert.fail(`HTTP ${result.response.status}: ${JSON.stringify(result.error)}`);
  return result.data;
}

await check('structure (rules) gives sections, sentences and RadGraph entities', async () => {
  const data = ok(await client.POST('/v1/reports/structure', { body: { text, engine: 'rules' } }));
  assert.ok(data.sections.some((s) => s.kind === 'findings' && typeof s.text === 'string'), JSON.stringify(data.sections));
  assert.equal(data.sentences.length, 4);
  const relations = Object.values(data.radgraph.entities).flatMap((e) => e.relations ?? []);
  assert.ok(relations.some(([type, target]) => type === 'modify' && target in data.radgraph.entities), JSON.stringify(relations));
  assert.equal(typeof data.truncated, 'boolean');
  assert.equal(typeof data.provenance.pipeline, 'string');
});

await check('classify (rules) labels an ad-hoc list', async () => {
  const data = ok(await client.POST('/v1/reports/classify', { body: { text, labels: ['Pleural Effusion', 'Pneumothorax'], engine: 'rules' } }));
  assert.equal(data.labels['Pleural Effusion'], 'positive');
  assert.equal(data.labels['Pneumothorax'], 'negative');
  assert.equal(data.language, 'en');
  assert.ok(Array.isArray(data.warnings));
});

await check('judge (rules) scores a candidate against the reference', async () => {
  const data = ok(await client.POST('/v1/reports/judge', { body: { candidate: text, reference: text, method: 'rules' } }));
  assert.equal(data.method, 'rules');
  assert.equal(data.status, 'parsed');
  assert.equal(typeof data.score, 'number');
});

await check('models lists the manifest in the OpenAI shape, and one model by id', async () => {
  const list = ok(await client.GET('/v1/models'));
  assert.equal(list.object, 'list');
  assert.ok(list.data.length > 0);
  const first = list.data[0];
  assert.equal(typeof first.created, 'number');
  assert.equal(typeof first.owned_by, 'string');
  const one = ok(await client.GET('/v1/models/{id}', { params: { path: { id: first.id } } }));
  assert.equal(one.sha256, first.sha256);
});

await check('a batch job runs to its end and its results come back', async () => {
  const submitted = ok(await client.POST('/v1/jobs', {
    params: { query: { operation: 'structure', engine: 'rules' } },
    body: `{"id":"a","text":${JSON.stringify(text)}}\n{"id":"b","text":"No acute disease."}\n`,
    headers: { 'Content-Type': 'application/x-ndjson' },
    bodySerializer: (body) => body,
  }));
  assert.equal(submitted.total, 2);
  let status = submitted;
  for (let i = 0; i < 300 && status.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = ok(await client.GET('/v1/jobs/{id}', { params: { path: { id: submitted.id } } }));
  }
  assert.equal(status.status, 'completed', JSON.stringify(status));
  assert.equal(status.done, 2);
  const results = ok(await client.GET('/v1/jobs/{id}/results', { params: { path: { id: submitted.id } }, parseAs: 'text' }));
  assert.equal(results.trim().split('\n').length, 2);
});

await check('a bad request is a 400 problem naming the field', async () => {
  const { data, error, response } = await client.POST('/v1/reports/classify', { body: { text, labels: ['Edema'], engine: 'no-such-engine' } });
  assert.equal(data, undefined);
  assert.equal(response.status, 400);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(error);
  const problem: Problem = error;
  assert.equal(problem.status, 400);
  assert.equal(problem.field, 'engine');
  assert.match(problem.detail ?? '', /unknown engine/);
});

await check('an unknown job is a 404 problem naming the id', async () => {
  const { error, response } = await client.GET('/v1/jobs/{id}', { params: { path: { id: 'no-such-job' } } });
  assert.equal(response.status, 404);
  assert.ok(error);
  const problem: Problem = error;
  assert.equal(problem.field, 'id');
  assert.equal(problem.code, 'unknown_job');
});
