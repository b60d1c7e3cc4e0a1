// Benchmark of lambda_code.js: classification and viewer-request handler time
// over mixed User-Agents, and the size of the deployment package.
//
// Usage: node bench/edge_bench.mjs [count]     (default 200000 requests)
// The package size comes from the reconciler's own builder, so run it with
// the project's virtualenv on PATH. Prints a Markdown table; no assertions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL('..', import.meta.url));
const edge = require(`${repo}/lambda_code.js`);

const count = Number(process.argv[2] ?? 200000);
const settings = {
  ai_origin_domain: 'ai-origin.example.com',
  ai_origin_protocol: 'https',
  ai_origin_port: 443,
  ai_origin_path: '',
  classification_header: 'x-ai-crawler',
  route_categories: ['ai_training', 'ai_search', 'ai_user_fetch'],
};

function loadUserAgents() {
  const lines = readFileSync(`${repo}/tests/data/user_agents.tsv`, 'utf8').split('\n').slice(1);
  return lines.filter((line) => line !== '').map((line) => line.split('\t')[0]);
}

// A seeded mix: every data set row, each with a random version suffix so the
// strings differ as real traffic does.
function mixedUserAgents(total) {
  const base = loadUserAgents();
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: total }, () => {
    const ua = base[Math.floor(random() * base.length)];
    return `${ua} r/${Math.floor(random() * 1000)}`;
  });
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function measure(label, inputs, run) {
  for (let i = 0; i < 10000; i += 1) {
    run(inputs[i % inputs.length]);
  }
  const times = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i += 1) {
    const start = process.hrtime.bigint();
    run(inputs[i]);
    times[i] = Number(process.hrtime.bigint() - start);
  }
  times.sort();
  const ms = (ns) => (ns / 1e3).toFixed(2);
  return `| ${label} | ${inputs.length} | ${ms(percentile(times, 0.5))} | ${ms(percentile(times, 0.99))} |`;
}

function packageSize() {
  const script = [
    'from pathlib import Path',
    'from reconciler.desired_state import load_desired_state',
    'from reconciler.edge.package import build_package',
    "print(build_package(load_desired_state(Path('desired_state.yaml')), Path('.')).size)",
  ].join('\n');
  try {
    return execFileSync('python', ['-c', script], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return 'not measured (python with the reconciler installed is not on PATH)';
  }
}

const userAgents = mixedUserAgents(count);
const handler = edge.createHandler(settings);
const events = userAgents.map((ua) => ({
  Records: [{ cf: { config: { eventType: 'viewer-request' }, request: {
    uri: '/', method: 'GET', querystring: '',
    headers: { 'user-agent': [{ key: 'User-Agent', value: ua }] },
  } } }],
}));

console.log(`Node.js ${process.version}, ${os.cpus()[0].model}, ${os.platform()} ${os.arch()}`);
console.log('');
console.log('| measurement | requests | p50 (µs) | p99 (µs) |');
console.log('|---|---|---|---|');
console.log(measure('classify(User-Agent)', userAgents, (ua) => edge.classify(ua)));
// The handler is async, so the timer measures only its synchronous part.
console.log(measure('viewer-request handler', events, (event) => handler(event)));
console.log('');
console.log(`Deployment package (stored zip of index.js + settings.json): ${packageSize()} bytes`);
