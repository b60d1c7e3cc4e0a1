// Shared loaders of the Node.js tests of lambda_code.js.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const SOURCE = fileURLToPath(new URL('../../lambda_code.js', import.meta.url));
export const edge = require(SOURCE);

export const AI_CATEGORIES = new Set(['ai_training', 'ai_search', 'ai_user_fetch']);

export const TEST_SETTINGS = Object.freeze({
  ai_origin_domain: 'ai-origin.test.example',
  ai_origin_protocol: 'https',
  ai_origin_port: 8443,
  ai_origin_path: '/crawlers',
  classification_header: 'x-ai-crawler',
  route_categories: ['ai_training', 'ai_search', 'ai_user_fetch'],
});

/** Read a user_agents.tsv file: header row, tab-separated, no quoting. */
function readUserAgents(url) {
  const [header, ...lines] = readFileSync(url, 'utf8').split('\n').filter((line) => line !== '');
  const columns = header.split('\t');
  return lines.map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(columns.map((column, index) => [column, values[index]]));
  });
}

// The shared data set first, then this project's own rows for crawlers the
// data set lacks and for look-alikes.
export const USER_AGENTS = [
  ...readUserAgents(new URL('../data/user_agents.tsv', import.meta.url)),
  ...readUserAgents(new URL('./user_agents_extra.tsv', import.meta.url)),
];

const EVENTS_DIR = new URL('../data/edge_events/', import.meta.url);

/** Return [file name, parsed JSON] for every file in tests/data/edge_events. */
export function loadEventFiles() {
  return readdirSync(EVENTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8'))]);
}
