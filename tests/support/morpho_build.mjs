// tests/support/morpho_build.mjs — compile Morpho Blue 1.0.0 (npm @morpho-org/morpho-blue,
// pragma 0.8.19) and its mocks with solc-js 0.8.19 (npm solc) into one JSON of creation
// bytecodes: {"Morpho": "0x...", "OracleMock": ..., "IrmMock": ..., "ERC20Mock": ...}.
// Usage: node morpho_build.mjs <node_modules dir> <out.json>. Offline; run once per build.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [nm, out] = process.argv.slice(2);
const require = createRequire(path.join(nm, 'x.js'));
const solc = require('solc');
const src = path.join(nm, '@morpho-org/morpho-blue/src');
const entries = ['Morpho.sol', 'mocks/OracleMock.sol', 'mocks/IrmMock.sol', 'mocks/ERC20Mock.sol'];
const sources = {};
for (const e of entries) sources[e] = { content: fs.readFileSync(path.join(src, e), 'utf8') };
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 999999 }, // foundry.toml of morpho-blue 1.0.0
    viaIR: true,
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
function findImports(p) {
  const base = p.startsWith('src/') ? path.join(nm, '@morpho-org/morpho-blue', p) : null;
  for (const cand of [base, path.join(src, p), path.join(src, 'mocks', p)]) {
    if (cand && fs.existsSync(cand)) return { contents: fs.readFileSync(cand, 'utf8') };
  }
  return { error: 'not found: ' + p };
}
if (solc.version().indexOf('0.8.19') !== 0) {
  console.error('morpho_build: solc ' + solc.version() + ', want 0.8.19');
  process.exit(1);
}
const res = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errs = (res.errors || []).filter((e) => e.severity === 'error');
if (errs.length) {
  for (const e of errs) console.error(e.formattedMessage);
  process.exit(1);
}
const want = { Morpho: 'Morpho.sol', OracleMock: 'mocks/OracleMock.sol', IrmMock: 'mocks/IrmMock.sol',
               ERC20Mock: 'mocks/ERC20Mock.sol' };
const o = {};
for (const [name, file] of Object.entries(want)) o[name] = '0x' + res.contracts[file][name].evm.bytecode.object;
fs.writeFileSync(out + '.tmp', JSON.stringify(o));
fs.renameSync(out + '.tmp', out);
