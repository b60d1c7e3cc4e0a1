'use strict';
// Lambda@Edge AI crawler router.
//
// viewer-request: classify the viewer's User-Agent and write the result into
// the classification header (default x-ai-crawler), replacing any value the
// client sent. The distribution's cache policy must include that header in
// the cache key, so a crawler's response is never served to a person and the
// other way round.
// origin-request: on a cache miss, send requests whose classification header
// names a routed category to the AI origin, and leave every other request
// untouched. It never reads User-Agent itself, because there it is
// "Amazon CloudFront" unless forwarded, and because a User-Agent that is not
// in the cache key would let one crawler's response be cached for everyone.
// Response events pass through unchanged.
//
// Settings come from settings.json, which the reconciler writes into the
// package next to this file at build time (Lambda@Edge has no environment
// variables). Tests call createHandler(settings) instead.

// One crawler per line: [token, operator, category]. A token matches
// case-insensitively and only as a whole token: the characters around it may
// not be letters, digits, "-" or "_". A token written with a trailing "/"
// matches only with that slash, as in "Devin/1.0", for names that are also
// ordinary words.
// Every token needs a test row: see docs/crawlers.md.
const CRAWLERS = [
  ['GPTBot', 'OpenAI', 'ai_training'],
  ['OAI-SearchBot', 'OpenAI', 'ai_search'],
  ['ChatGPT-User', 'OpenAI', 'ai_user_fetch'],
  ['ClaudeBot', 'Anthropic', 'ai_training'],
  ['anthropic-ai', 'Anthropic', 'ai_training'],
  ['Claude-Web', 'Anthropic', 'ai_training'],
  ['Claude-SearchBot', 'Anthropic', 'ai_search'],
  ['Claude-User', 'Anthropic', 'ai_user_fetch'],
  ['PerplexityBot', 'Perplexity', 'ai_search'],
  ['Perplexity-User', 'Perplexity', 'ai_user_fetch'],
  ['Google-Extended', 'Google', 'ai_training'],
  ['Google-CloudVertexBot', 'Google', 'ai_search'],
  ['CCBot', 'Common Crawl Foundation', 'ai_training'],
  ['Bytespider', 'ByteDance', 'ai_training'],
  ['TikTokSpider', 'ByteDance', 'ai_training'],
  ['meta-externalagent', 'Meta', 'ai_training'],
  ['meta-externalfetcher', 'Meta', 'ai_user_fetch'],
  ['FacebookBot', 'Meta', 'ai_training'],
  ['cohere-ai', 'Cohere', 'ai_user_fetch'],
  ['cohere-training-data-crawler', 'Cohere', 'ai_training'],
  ['Diffbot', 'Diffbot', 'ai_training'],
  ['YouBot', 'You.com', 'ai_search'],
  ['MistralAI-User', 'Mistral AI', 'ai_user_fetch'],
  ['DeepSeekBot', 'DeepSeek', 'ai_training'],
  ['AI2Bot', 'Ai2 (Allen Institute for AI)', 'ai_training'],
  ['Ai2Bot-Dolma', 'Ai2 (Allen Institute for AI)', 'ai_training'],
  ['Timpibot', 'Timpi', 'ai_training'],
  ['webzio-extended', 'Webz.io', 'ai_training'],
  ['Devin/', 'Cognition (Devin)', 'ai_user_fetch'],
  ['Manus-User', 'Manus (Butterfly Effect)', 'ai_user_fetch'],
  ['Amazonbot', 'Amazon', 'ai_training'],
  ['DuckAssistBot', 'DuckDuckGo', 'ai_user_fetch'],
];

const CATEGORIES = ['ai_training', 'ai_search', 'ai_user_fetch'];
const NOT_CLASSIFIED = 'none';
const TOKEN_CHAR = /[a-z0-9_-]/i;

// Compiled once per container, when Lambda loads the module.
const BY_TOKEN = new Map();
for (const [token, operator, category] of CRAWLERS) {
  if (!CATEGORIES.includes(category)) {
    throw new Error(`crawler ${token}: unknown category ${category}`);
  }
  BY_TOKEN.set(token.toLowerCase(), { token, operator, category });
}
const MATCHER = compileMatcher(CRAWLERS.map(([token]) => token));

function compileMatcher(tokens) {
  // Longest first, so a token that extends another ("Ai2Bot-Dolma", "AI2Bot")
  // is tried before the shorter one at the same position.
  const alternatives = [...tokens]
    .sort((a, b) => b.length - a.length)
    .map((token) => {
      const literal = token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const endsInTokenChar = TOKEN_CHAR.test(token[token.length - 1]);
      return endsInTokenChar ? `${literal}(?![a-z0-9_-])` : literal;
    });
  return new RegExp(`(?<![a-z0-9_-])(?:${alternatives.join('|')})`, 'i');
}

/** Return {token, operator, category} for a crawler User-Agent, else null. */
function classify(userAgent) {
  if (typeof userAgent !== 'string' || userAgent === '') {
    return null;
  }
  const match = MATCHER.exec(userAgent);
  return match === null ? null : BY_TOKEN.get(match[0].toLowerCase());
}

/** Return the values of a header in a Lambda@Edge headers object. */
function headerValues(headers, name) {
  const entries = headers && typeof headers === 'object' ? headers[name] : undefined;
  if (!Array.isArray(entries)) {
    return [];
  }
  return entries
    .map((entry) => (entry && typeof entry.value === 'string' ? entry.value : null))
    .filter((value) => value !== null);
}

/** Classify a request by the first User-Agent value that names a crawler. */
function classifyRequest(request) {
  for (const userAgent of headerValues(request.headers, 'user-agent')) {
    const crawler = classify(userAgent);
    if (crawler !== null) {
      return crawler;
    }
  }
  return null;
}

function validateSettings(settings) {
  const problems = [];
  if (!settings || typeof settings !== 'object') {
    throw new Error('settings must be an object');
  }
  if (typeof settings.ai_origin_domain !== 'string' || settings.ai_origin_domain === '') {
    problems.push('ai_origin_domain must be a non-empty string');
  }
  if (!['https', 'http'].includes(settings.ai_origin_protocol)) {
    problems.push('ai_origin_protocol must be https or http');
  }
  if (!Number.isInteger(settings.ai_origin_port)) {
    problems.push('ai_origin_port must be an integer');
  }
  if (typeof settings.ai_origin_path !== 'string') {
    problems.push('ai_origin_path must be a string');
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(settings.classification_header)) {
    problems.push('classification_header must be a lowercase header name');
  }
  const routed = settings.route_categories;
  if (!Array.isArray(routed) || routed.some((category) => !CATEGORIES.includes(category))) {
    problems.push(`route_categories must be a list of ${CATEGORIES.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid settings: ${problems.join('; ')}`);
  }
}

/** Build the handler for one set of settings; see the file header. */
function createHandler(settings) {
  validateSettings(settings);
  const header = settings.classification_header;
  const routed = new Set(settings.route_categories);
  const aiOrigin = {
    custom: {
      domainName: settings.ai_origin_domain,
      port: settings.ai_origin_port,
      protocol: settings.ai_origin_protocol,
      path: settings.ai_origin_path,
      sslProtocols: ['TLSv1.2'],
      readTimeout: 30,
      keepaliveTimeout: 5,
      // The original origin's custom headers may carry its shared secret.
      customHeaders: {},
    },
  };

  function onViewerRequest(request) {
    const crawler = classifyRequest(request);
    const routedCrawler = crawler !== null && routed.has(crawler.category);
    const value = routedCrawler ? crawler.category : NOT_CLASSIFIED;
    if (!request.headers || typeof request.headers !== 'object') {
      request.headers = {};
    }
    request.headers[header] = [{ key: header, value }];
    return request;
  }

  function onOriginRequest(request) {
    const [value] = headerValues(request.headers, header);
    if (!routed.has(value)) {
      return request;
    }
    request.origin = structuredClone(aiOrigin);
    // A custom origin expects its own name in Host, not the viewer's.
    request.headers.host = [{ key: 'Host', value: settings.ai_origin_domain }];
    return request;
  }

  return async function handler(event) {
    const cf = event.Records[0].cf;
    const eventType = cf.config && cf.config.eventType;
    if (eventType === 'origin-request') {
      return onOriginRequest(cf.request);
    }
    if (eventType === 'origin-response' || eventType === 'viewer-response') {
      return cf.response;
    }
    // viewer-request; some test tools omit config.eventType on it.
    return onViewerRequest(cf.request);
  };
}

function loadPackagedHandler() {
  let settings;
  try {
    settings = require('./settings.json');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') {
      throw error;
    }
    return async function handler() {
      throw new Error('settings.json is missing: deploy the package that the reconciler builds');
    };
  }
  return createHandler(settings);
}

module.exports = {
  CRAWLERS,
  CATEGORIES,
  classify,
  classifyRequest,
  createHandler,
  handler: loadPackagedHandler(),
};
