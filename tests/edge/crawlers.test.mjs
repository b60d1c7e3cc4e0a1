// Classification of User-Agent strings by the crawler table of lambda_code.js.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AI_CATEGORIES, USER_AGENTS, edge } from './helpers.mjs';

const crawlerRows = USER_AGENTS.filter((row) => AI_CATEGORIES.has(row.category));
const otherRows = USER_AGENTS.filter((row) => !AI_CATEGORIES.has(row.category));

describe('crawler user agents', () => {
  for (const row of crawlerRows) {
    test(`classifies ${row.ua}`, () => {
      const crawler = edge.classify(row.ua);

      assert.notEqual(crawler, null, 'no pattern matched');
      assert.equal(crawler.operator, row.operator);
      assert.equal(crawler.category, row.category);
    });
  }

  for (const row of crawlerRows) {
    test(`ignores case of ${row.ua}`, () => {
      assert.equal(edge.classify(row.ua.toUpperCase())?.category, row.category);
      assert.equal(edge.classify(row.ua.toLowerCase())?.category, row.category);
    });
  }
});

describe('other user agents', () => {
  for (const row of otherRows) {
    test(`does not match ${row.category}: ${row.ua}`, () => {
      assert.equal(edge.classify(row.ua), null);
    });
  }

  test('data set has browsers, search engines and other bots', () => {
    const categories = new Set(otherRows.map((row) => row.category));

    assert.ok(categories.has('browser'));
    assert.ok(categories.has('search_engine'));
    assert.ok(categories.has('other_bot'));
  });
});

describe('crawler table', () => {
  test('every token has a test row', () => {
    const matched = new Set(crawlerRows.map((row) => edge.classify(row.ua)?.token));
    const untested = edge.CRAWLERS.map(([token]) => token).filter((token) => !matched.has(token));

    assert.deepEqual(untested, [], 'add a row for each of these tokens to user_agents_extra.tsv');
  });

  test('tokens are unique ignoring case', () => {
    const tokens = edge.CRAWLERS.map(([token]) => token.toLowerCase());

    assert.equal(new Set(tokens).size, tokens.length);
  });

  test('every entry has operator and known category', () => {
    for (const [token, operator, category] of edge.CRAWLERS) {
      assert.ok(token.length > 0, 'empty token');
      assert.ok(operator.length > 0, `${token} has no operator`);
      assert.ok(edge.CATEGORIES.includes(category), `${token} has category ${category}`);
    }
  });

  for (const [token] of edge.CRAWLERS) {
    test(`${token} matches only as a whole token`, () => {
      const name = token.replace(/\/$/, '');
      const version = '/1.0';

      assert.equal(edge.classify(`Mozilla/5.0 (compatible; x${name}${version})`), null);
      assert.equal(edge.classify(`Mozilla/5.0 (compatible; ${name}x${version})`), null);
      assert.equal(edge.classify(`Mozilla/5.0 (compatible; ${name}-clone${version})`), null);
      assert.notEqual(edge.classify(`Mozilla/5.0 (compatible; ${name}${version})`), null);
    });
  }
});

describe('classify', () => {
  test('returns null for missing or odd values', () => {
    for (const value of [undefined, null, '', 42, {}, ['GPTBot/1.0']]) {
      assert.equal(edge.classify(value), null);
    }
  });

  test('reports the leftmost token', () => {
    assert.equal(edge.classify('CCBot/2.0 GPTBot/1.0').token, 'CCBot');
  });
});

describe('classifyRequest', () => {
  const gptbot = 'Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)';
  const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/51.0 Safari/537.36';

  test('uses any of several user-agent values', () => {
    const request = {
      headers: {
        'user-agent': [
          { key: 'User-Agent', value: chrome },
          { key: 'User-Agent', value: gptbot },
        ],
      },
    };

    assert.equal(edge.classifyRequest(request).token, 'GPTBot');
  });

  test('tolerates missing and malformed headers', () => {
    const shapes = [
      {},
      { headers: null },
      { headers: {} },
      { headers: { 'user-agent': [] } },
      { headers: { 'user-agent': 'GPTBot/1.0' } },
      { headers: { 'user-agent': [null, { key: 'User-Agent' }, { value: 7 }] } },
    ];

    for (const request of shapes) {
      assert.equal(edge.classifyRequest(request), null, JSON.stringify(request));
    }
  });

  test('reads only the lowercase header key', () => {
    const request = { headers: { 'User-Agent': [{ key: 'User-Agent', value: gptbot }] } };

    assert.equal(edge.classifyRequest(request), null);
  });
});
