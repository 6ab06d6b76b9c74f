'use strict';
/**
 * Lets plain `node` run this benchmark's TypeScript (and the test harness it reuses) without a build:
 * each .ts file is compiled by swc (already a dev dependency, Jest's transform) as it is required, and
 * `@wab/shared` resolves to its sources, as Jest's moduleNameMapper does.
 *   node -r ./bench/redis-sizing/register-ts.js bench/redis-sizing/run.ts
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const SHARED = join(__dirname, '..', '..', 'shared', 'src', 'index.ts');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === '@wab/shared' ? SHARED : request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
