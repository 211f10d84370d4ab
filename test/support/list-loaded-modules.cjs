// Preloaded into a server under test (NODE_OPTIONS=--require): as the process exits, writes the
// files of every CommonJS module it loaded, one a line, to OPENSQ_TEST_LOADED_MODULES.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.OPENSQ_TEST_LOADED_MODULES, Object.keys(require.cache).join('\n'));
});
