// Writes name.br (brotli, level 11) and name.gz (gzip, level 9) beside every .wasm, .js and .css
// file of the directory given (frontend/dist): the server sends them to the browsers that accept
// them (api/src/spa.rs), smaller than what it could compress on the fly. Node's zlib only.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node compress.mjs DIR');
for (const name of readdirSync(dir).filter((n) => /\.(wasm|js|css)$/.test(n))) {
  const data = readFileSync(join(dir, name));
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(join(dir, `${name}.br`), br);
  writeFileSync(join(dir, `${name}.gz`), gzipSync(data, { level: 9 }));
  console.log(`${name}: ${data.length} B, brotli ${br.length} B`);
}
