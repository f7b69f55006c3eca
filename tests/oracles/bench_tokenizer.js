// Peer for bench_tokenizer: times Hugging Face tokenizers (Rust, via @anush008/tokenizers) inside node on the
// same documents, so process start-up and module loading are not counted.
// Usage: node bench_tokenizer.js tokenizer.json docs.bin short.bin  (records separated by \x1e)
// Prints JSON: {load_ms, serial_ms, serial_cpu_ms, tokens, checksum, short_call_us}
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require(path.join(__dirname, 'node_modules', '@anush008', 'tokenizers'));

function now() { return Number(process.hrtime.bigint()) / 1e6; }

async function main() {
  const [file, docsFile, shortFile] = process.argv.slice(2);
  const docs = fs.readFileSync(docsFile).toString('utf8').split('\x1e');
  const shorts = fs.readFileSync(shortFile).toString('utf8').split('\x1e');
  let t0 = now();
  const tok = Tokenizer.fromFile(file);
  const loadMs = now() - t0;
  await tok.encode('warm up', null, { addSpecialTokens: false });
  // Serial: TOKENIZERS_PARALLELISM=false is set by the caller for this process, so encodeBatch runs on one thread.
  t0 = now();
  const cpu0 = process.cpuUsage();
  const enc = await tok.encodeBatch(docs, { addSpecialTokens: false });
  const serialMs = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serialCpuMs = (cpu.user + cpu.system) / 1000;
  let tokens = 0, checksum = 0;
  for (const e of enc) {
    const ids = e.getIds();
    tokens += ids.length;
    for (const id of ids) checksum = (checksum * 31 + id) % 1000000007;
  }
  t0 = now();
  const reps = 20;
  for (let r = 0; r < reps; ++r)
    for (const s of shorts) await tok.encode(s, null, { addSpecialTokens: false });
  const shortUs = ((now() - t0) * 1000) / (reps * shorts.length);
  process.stdout.write(JSON.stringify({ load_ms: loadMs, serial_ms: serialMs, serial_cpu_ms: serialCpuMs, tokens, checksum, short_call_us: shortUs }));
}
main().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
