// The handler of lambda_code.js on Lambda@Edge events, with test settings.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { SOURCE, TEST_SETTINGS, edge, loadEventFiles } from './helpers.mjs';

const HEADER = TEST_SETTINGS.classification_header;
const handler = edge.createHandler(TEST_SETTINGS);

// Expected classification header per viewer-request file of tests/data/edge_events.
const VIEWER_EXPECTED = {
  'events_viewer_request_aws_docs.json': 'none',
  'events_viewer_request_derived_chrome_browser_with_cookies.json': 'none',
  'events_viewer_request_derived_googlebot.json': 'none',
  'events_viewer_request_derived_gptbot.json': 'ai_training',
  'events_viewer_request_derived_post_with_body.json': 'none',
  'events_viewer_request_legacy_docs_ipv6_querystring.json': 'none',
  'events_viewer_request_sam_minimal_no_user_agent.json': 'none',
};

function clone(value) {
  return structuredClone(value);
}

function cfOf(event) {
  return event.Records[0].cf;
}

function withHeader(event, name, values) {
  const copy = clone(event);
  cfOf(copy).request.headers[name] = values.map((value) => ({ key: name, value }));
  return copy;
}

const eventFiles = loadEventFiles();
const events = Object.fromEntries(eventFiles);
const customOriginEvent = events['events_origin_request_custom_origin_aws_docs.json'];
const chromeEvent = events['events_viewer_request_derived_chrome_browser_with_cookies.json'];

describe('every event in the data set', () => {
  test('data set has events of each kind', () => {
    const types = eventFiles
      .filter(([, content]) => content.Records)
      .map(([, content]) => cfOf(content).config.eventType);

    assert.ok(types.includes('viewer-request'));
    assert.ok(types.includes('origin-request'));
    assert.ok(types.includes('origin-response'));
  });

  for (const [name, content] of eventFiles) {
    if (!content.Records) {
      // The generated-response file documents a return value, not an event.
      continue;
    }
    const eventType = cfOf(content).config.eventType ?? 'viewer-request';

    test(`${eventType}: ${name}`, async () => {
      const input = clone(content);

      const result = await handler(clone(content));

      if (eventType === 'viewer-request') {
        assert.ok(name in VIEWER_EXPECTED, 'add the expected classification for this file');
        const expected = clone(cfOf(input).request);
        const value = VIEWER_EXPECTED[name];
        expected.headers = { ...expected.headers, [HEADER]: [{ key: HEADER, value }] };
        assert.deepEqual(result, expected);
      } else if (eventType === 'origin-request') {
        // No classification header: untouched, even with a crawler User-Agent.
        assert.deepEqual(result, cfOf(input).request);
      } else {
        assert.deepEqual(result, cfOf(input).response);
      }
    });
  }
});

describe('viewer-request', () => {
  test('overwrites a client-sent classification header', async () => {
    const spoofed = withHeader(chromeEvent, HEADER, ['ai_training', 'ai_search']);

    const result = await handler(spoofed);

    assert.deepEqual(result.headers[HEADER], [{ key: HEADER, value: 'none' }]);
  });

  test('classifies with several user-agent values', async () => {
    const event = withHeader(chromeEvent, 'user-agent', [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/143.0.0.0 Safari/537.36',
      'meta-externalfetcher/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)',
    ]);

    const result = await handler(event);

    assert.deepEqual(result.headers[HEADER], [{ key: HEADER, value: 'ai_user_fetch' }]);
  });

  test('adds headers to a request without any', async () => {
    const event = clone(chromeEvent);
    delete cfOf(event).request.headers;

    const result = await handler(event);

    assert.deepEqual(result.headers, { [HEADER]: [{ key: HEADER, value: 'none' }] });
  });

  test('writes none for a category that is not routed', async () => {
    const searchOnly = edge.createHandler({ ...TEST_SETTINGS, route_categories: ['ai_search'] });
    const ccbot = 'CCBot/2.0 (https://commoncrawl.org/faq/)';
    const event = withHeader(chromeEvent, 'user-agent', [ccbot]);

    const result = await searchOnly(event);

    assert.deepEqual(result.headers[HEADER], [{ key: HEADER, value: 'none' }]);
  });

  test('uses the configured header name', async () => {
    const custom = edge.createHandler({ ...TEST_SETTINGS, classification_header: 'x-bot-class' });
    const event = events['events_viewer_request_derived_gptbot.json'];

    const result = await custom(clone(event));

    const expected = [{ key: 'x-bot-class', value: 'ai_training' }];
    assert.deepEqual(result.headers['x-bot-class'], expected);
    assert.equal(result.headers[HEADER], undefined);
  });
});

describe('origin-request', () => {
  for (const category of TEST_SETTINGS.route_categories) {
    test(`routes ${category} to the AI origin`, async () => {
      const event = withHeader(customOriginEvent, HEADER, [category]);
      const before = cfOf(event).request;

      const result = await handler(clone(event));

      assert.deepEqual(result.origin, {
        custom: {
          domainName: 'ai-origin.test.example',
          port: 8443,
          protocol: 'https',
          path: '/crawlers',
          sslProtocols: ['TLSv1.2'],
          readTimeout: 30,
          keepaliveTimeout: 5,
          customHeaders: {},
        },
      });
      assert.deepEqual(result.headers.host, [{ key: 'Host', value: 'ai-origin.test.example' }]);
      assert.equal(result.uri, before.uri);
      assert.equal(result.querystring, before.querystring);
      assert.deepEqual(result.headers[HEADER], before.headers[HEADER]);
    });
  }

  test('drops the original origin custom headers', async () => {
    const base = events['events_origin_request_derived_claudebot_ua_forwarded.json'];
    const event = withHeader(base, HEADER, ['ai_training']);

    const result = await handler(event);

    assert.deepEqual(result.origin.custom.customHeaders, {});
  });

  test('switches an S3 origin to the custom AI origin', async () => {
    const s3Event = events['events_origin_request_s3_origin.json'];
    const event = withHeader(s3Event, HEADER, ['ai_search']);

    const result = await handler(event);

    assert.equal(result.origin.s3, undefined);
    assert.equal(result.origin.custom.domainName, 'ai-origin.test.example');
  });

  for (const value of ['none', 'yes', 'AI_TRAINING', '']) {
    test(`leaves header value ${JSON.stringify(value)} untouched`, async () => {
      const event = withHeader(customOriginEvent, HEADER, [value]);

      const result = await handler(clone(event));

      assert.deepEqual(result, cfOf(event).request);
    });
  }

  test('leaves a category that is not routed untouched', async () => {
    const searchOnly = edge.createHandler({ ...TEST_SETTINGS, route_categories: ['ai_search'] });
    const event = withHeader(customOriginEvent, HEADER, ['ai_training']);

    const result = await searchOnly(clone(event));

    assert.deepEqual(result, cfOf(event).request);
  });

  test('routes what viewer-request classified', async () => {
    const viewer = await handler(clone(events['events_viewer_request_derived_gptbot.json']));
    const event = withHeader(customOriginEvent, HEADER, [viewer.headers[HEADER][0].value]);

    const result = await handler(event);

    assert.equal(result.origin.custom.domainName, 'ai-origin.test.example');
  });

  test('does not share origin objects between requests', async () => {
    const first = await handler(withHeader(customOriginEvent, HEADER, ['ai_search']));
    first.origin.custom.domainName = 'changed.example';

    const second = await handler(withHeader(customOriginEvent, HEADER, ['ai_search']));

    assert.equal(second.origin.custom.domainName, 'ai-origin.test.example');
  });
});

describe('viewer-response', () => {
  test('returns the response unchanged', async () => {
    const event = clone(events['events_origin_response_aws_docs.json']);
    cfOf(event).config.eventType = 'viewer-response';

    const result = await handler(clone(event));

    assert.deepEqual(result, cfOf(event).response);
  });
});

describe('createHandler', () => {
  const invalid = {
    ai_origin_domain: '',
    ai_origin_protocol: 'ftp',
    ai_origin_port: '443',
    ai_origin_path: null,
    classification_header: 'X-AI',
    route_categories: ['ai_training', 'browser'],
  };

  for (const [key, value] of Object.entries(invalid)) {
    test(`rejects ${key} = ${JSON.stringify(value)}`, () => {
      assert.throws(() => edge.createHandler({ ...TEST_SETTINGS, [key]: value }), new RegExp(key));
    });
  }

  test('rejects missing settings', () => {
    assert.throws(() => edge.createHandler(undefined), /settings must be an object/);
  });
});

describe('packaged handler', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'edge-package-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const require = createRequire(import.meta.url);

  test('reads settings.json next to index.js', async () => {
    const packaged = path.join(directory, 'with-settings');
    mkdirSync(packaged);
    copyFileSync(SOURCE, path.join(packaged, 'index.js'));
    writeFileSync(path.join(packaged, 'settings.json'), JSON.stringify(TEST_SETTINGS));
    const { handler: packagedHandler } = require(path.join(packaged, 'index.js'));
    const event = withHeader(customOriginEvent, HEADER, ['ai_training']);

    const result = await packagedHandler(event);

    assert.equal(result.origin.custom.domainName, 'ai-origin.test.example');
  });

  test('fails every request without settings.json', async () => {
    const bare = path.join(directory, 'bare');
    mkdirSync(bare);
    copyFileSync(SOURCE, path.join(bare, 'index.js'));
    const { handler: bareHandler } = require(path.join(bare, 'index.js'));

    await assert.rejects(bareHandler(clone(chromeEvent)), /settings\.json is missing/);
  });
});
