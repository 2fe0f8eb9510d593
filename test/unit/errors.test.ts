import * as assert from 'node:assert/strict';
import { briefly, errorBodyMessage, networkError, redirectError, speechHttpError } from '../../src/kokoro/errors';

describe('error messages', () => {
  const ctx = { voice: 'xx_nobody', url: 'http://localhost:8880' };

  it('reads every error body shape the servers use', () => {
    const cases: Array<[string, string, string | undefined]> = [
      [
        '{"detail":{"error":"processing_error","message":"CUDA out of memory","type":"server_error"}}',
        'application/json',
        'CUDA out of memory',
      ],
      ['{"detail":[{"type":"missing","loc":["body","input"],"msg":"Field required"}]}', 'application/json', 'input: Field required'],
      [
        '{"detail":[{"loc":["body","speed"],"msg":"Input should be less than or equal to 4"},{"loc":["body","response_format"],"msg":"bad"}]}',
        'application/json',
        'speed: Input should be less than or equal to 4; response_format: bad',
      ],
      ['{"detail":"Not Found"}', 'application/json', 'Not Found'],
      ['{"error":"Voice generation failed"}', 'application/json', 'Voice generation failed'],
      [
        '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}',
        'application/json',
        'Incorrect API key provided',
      ],
      ['{"message":"Invalid model"}', 'application/json', 'Invalid model'],
      ['', '', undefined],
      ['<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', 'text/html', 'the server answered with a web page'],
      ['Internal Server Error', 'text/plain', 'Internal Server Error'],
    ];
    for (const [body, type, expected] of cases) assert.equal(errorBodyMessage(body, type), expected, body);
  });

  it('a proxy or load balancer with no server behind it (502, 503, 504, any body) means unreachable, named as such', () => {
    for (const [status, body, type] of [
      [
        502,
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.22.1</center></body></html>',
        'text/html',
      ],
      [503, 'no healthy upstream', 'text/plain'],
      [504, '{"message":"upstream request timeout"}', 'application/json'],
      [503, '', ''],
    ] as const) {
      const e = speechHttpError(status, body, type, ctx);
      assert.equal(e.kind, 'unreachable', `${status} ${body}`);
      assert.equal(e.status, status);
      assert.match(
        e.message,
        /No Kokoro server is answering behind the proxy or load balancer at http:\/\/localhost:8880 \(HTTP 50[234]\)/,
      );
      assert.doesNotMatch(e.message, /web page|nginx/);
      assert.ok(e.retryable);
    }
    assert.equal(
      speechHttpError(500, '{"detail":"CUDA out of memory"}', 'application/json', ctx).kind,
      'http',
      'the server itself failing is not a gateway',
    );
  });

  it('a redirect names the server URL to set when it is the same route elsewhere, and what is in the way otherwise', () => {
    const path = '/v1/audio/speech';
    const to = (location: string, url = 'http://tts.example.com') => redirectError(301, location, url, path).message;
    assert.match(to('https://tts.example.com/v1/audio/speech'), /Set kokoro\.serverUrl to https:\/\/tts\.example\.com\.$/);
    assert.match(
      to('/api/v1/audio/speech'),
      /redirects to http:\/\/tts\.example\.com\/api \(HTTP 301\)\. Set kokoro\.serverUrl to http:\/\/tts\.example\.com\/api\./,
    );
    assert.match(
      to('https://gpu.example.com:8443/kokoro/v1/audio/speech', 'http://gpu:8880'),
      /Set kokoro\.serverUrl to https:\/\/gpu\.example\.com:8443\/kokoro\./,
    );
    assert.match(
      to('https://sso.example.com/login?next=%2F'),
      /redirects to https:\/\/sso\.example\.com\/login \(HTTP 301\), not a Kokoro server/,
    );
    assert.match(to(''), /redirects elsewhere \(HTTP 301\)\. Check kokoro\.serverUrl\./);
    assert.match(to('http://[bad'), /redirects elsewhere/);
    const error = redirectError(308, '/x', 'http://h', path);
    assert.equal(error.kind, 'redirect');
    assert.equal(error.setting, 'kokoro.serverUrl');
    assert.equal(error.settingsRelated, true);
    assert.equal(error.retryable, false);
  });

  it('names an unknown voice and offers the fix', () => {
    const e = speechHttpError(
      400,
      '{"detail":{"error":"validation_error","message":"Voice \'xx_nobody\' not found. Available voices: af_heart, af_bella","type":"invalid_request_error"}}',
      'application/json',
      ctx,
    );
    assert.equal(e.kind, 'badVoice');
    assert.match(e.message, /xx_nobody/);
    assert.match(e.message, /af_heart/);
    assert.equal(e.retryable, false);
  });

  it('turns a 404 into a wrong-URL hint and a bare 500 into a retryable error', () => {
    const notFound = speechHttpError(404, '{"detail":"Not Found"}', 'application/json', ctx);
    assert.equal(notFound.kind, 'notFound');
    assert.match(notFound.message, /kokoro\.serverUrl/);
    const bare = speechHttpError(500, '', '', ctx);
    assert.equal(bare.kind, 'http');
    assert.match(bare.message, /HTTP 500\) with no details/);
    assert.equal(bare.retryable, true);
  });

  it('explains network failures in words', () => {
    const refused = networkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8880'), { code: 'ECONNREFUSED' }), ctx.url);
    assert.equal(refused.kind, 'unreachable');
    assert.match(refused.message, /No Kokoro server is answering at http:\/\/localhost:8880/);
    const dns = networkError({ cause: { code: 'ENOTFOUND' }, message: 'fetch failed' }, 'http://gpu-box:8880');
    assert.match(dns.message, /Cannot find the host/);
    assert.equal(networkError(Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx.url).kind, 'aborted');
  });

  it('keeps long bodies short', () => {
    const message = errorBodyMessage(JSON.stringify({ detail: { message: 'x'.repeat(5000) } }), 'application/json')!;
    assert.ok(message.length <= 300);
  });

  it('says an error briefly: its first sentence, URLs and versions kept whole', () => {
    assert.equal(
      briefly('No Kokoro server is answering at http://127.0.0.1:8880 (connection refused). Start the server, or check kokoro.serverUrl.'),
      'No Kokoro server is answering at http://127.0.0.1:8880 (connection refused).',
    );
    assert.equal(
      briefly('The server failed to speak (HTTP 500): CUDA 12.1 out of memory.'),
      'The server failed to speak (HTTP 500): CUDA 12.1 out of memory.',
    );
    assert.equal(briefly('  A message\nwith no full stop '), 'A message with no full stop');
    const long = briefly(`The server said ${'x'.repeat(400)}. More.`);
    assert.equal(long.length, 160);
    assert.ok(long.endsWith('…'));
  });
});
