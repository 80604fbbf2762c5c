// npm pack / npm publish (prepack): copies the repository's
// proto/sorn/v1/sorn.proto into the package, which loads it at run time.
// The copy is made for the tarball only (client/node/proto is ignored by
// git): the repository's proto/ stays the one source of the API.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const from = path.resolve(__dirname, '..', '..', '..', 'proto', 'sorn', 'v1', 'sorn.proto');
const to = path.resolve(__dirname, '..', 'proto', 'sorn', 'v1', 'sorn.proto');
fs.mkdirSync(path.dirname(to), { recursive: true });
fs.copyFileSync(from, to);
console.error(`copied ${path.relative(process.cwd(), from)} into the package`);
