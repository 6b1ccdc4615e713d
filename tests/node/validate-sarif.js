#!/usr/bin/env node
// Validates SARIF files against the SARIF 2.1.0 JSON schema.
// Usage: node validate-sarif.js FILE...   (exit 0: all valid; 1: not; 2: setup)
//
// The schema is not kept in this repository: it is read at run time from
// the npm package @microsoft/jest-sarif (lib/schemas/sarif-2.1.0-rtm.5.json,
// the 2.1.0 schema as published to SchemaStore, a draft-04 schema), which
// package.json pins. ESCGATE_SARIF_SCHEMA=FILE validates against another
// copy instead (e.g. the OASIS errata01 file, also draft-04).
'use strict';

const fs = require('fs');

function main(files) {
	let Ajv04, addFormats;
	try {
		Ajv04 = require('ajv-draft-04');
		addFormats = require('ajv-formats');
	} catch (e) {
		console.error('validate-sarif: ' + e.message + ' (run npm ci in tests/node)');
		return 2;
	}
	const schemaPath = process.env.ESCGATE_SARIF_SCHEMA ||
		require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
	const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
	// The published 2.1.0 schemas' "language" pattern has a stray ']' that
	// only a non-Unicode regular expression accepts; strict mode would
	// refuse the schema's own unknown keywords.
	const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
	addFormats(ajv);
	const validate = ajv.compile(schema);
	let status = 0;
	if (!files.length) {
		console.error('usage: validate-sarif.js FILE...');
		return 2;
	}
	for (const file of files) {
		let doc;
		try {
			doc = JSON.parse(fs.readFileSync(file, 'utf8'));
		} catch (e) {
			console.log(file + ': not JSON: ' + e.message);
			status = 1;
			continue;
		}
		if (validate(doc)) {
			console.log(file + ': valid SARIF 2.1.0 (' + schemaPath + ')');
			continue;
		}
		status = 1;
		for (const err of validate.errors.slice(0, 20))
			console.log(file + ': ' + (err.instancePath || '/') + ': ' + err.message +
				' ' + JSON.stringify(err.params));
	}
	return status;
}

process.exitCode = main(process.argv.slice(2));
