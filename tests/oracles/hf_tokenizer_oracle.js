// Oracle for tst_tokenizer_oracle: runs the real Hugging Face tokenizers library (Rust, via the
// @anush008/tokenizers node bindings) over a batch of cases in ONE process and prints the results as JSON.
// Usage: node hf_tokenizer_oracle.js request.json > response.json
//   request:  {"tokenizers": [path, ...], "texts_b64": [base64 bytes, ...], "decode": [[ids...], ...]}
//   response: {"results": [{"with": [[ids]], "without": [[ids]], "decoded": [str], "decoded_skip": [str],
//                           "decoded_random": [str]}, ...], "encode_ms": number}
// Text bytes are turned into strings with Buffer.toString('utf8') (invalid sequences -> U+FFFD, WHATWG).
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require(path.join(__dirname, 'node_modules', '@anush008', 'tokenizers'));

async function main() {
  const req = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const texts = req.texts_b64.map((b) => Buffer.from(b, 'base64').toString('utf8'));
  const results = [];
  let encodeMs = 0;
  for (const file of req.tokenizers) {
    const tok = Tokenizer.fromString(fs.readFileSync(file, 'utf8'));
    const r = { with: [], without: [], decoded: [], decoded_skip: [], decoded_random: [] };
    const t0 = process.hrtime.bigint();
    for (const text of texts) {
      r.with.push((await tok.encode(text, null, { addSpecialTokens: true })).getIds());
      r.without.push((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
    }
    encodeMs += Number(process.hrtime.bigint() - t0) / 1e6;
    for (const ids of r.with) {
      r.decoded.push(await tok.decode(ids, false));
      r.decoded_skip.push(await tok.decode(ids, true));
    }
    const vocab = tok.getVocabSize(true);
    for (const ids of req.decode || []) r.decoded_random.push(await tok.decode(ids.filter((i) => i < vocab), false));
    results.push(r);
  }
  process.stdout.write(JSON.stringify({ results, encode_ms: encodeMs }));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
