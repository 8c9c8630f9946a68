import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { EconeError } from './command.js';
import { describeFailure, endpointUrl, givenCredentials } from './client.js';

test('credentials: options, then EC2_*, then AWS_* (what `oneuser ec2-key` prints)', () => {
  const env = { EC2_ACCESS_KEY: 'e', EC2_SECRET_KEY: 'es', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'as' };
  assert.deepEqual(givenCredentials('k', 's', env), { accessKeyId: 'k', secretAccessKey: 's' });
  assert.deepEqual(givenCredentials(undefined, undefined, env), { accessKeyId: 'e', secretAccessKey: 'es' });
  assert.deepEqual(givenCredentials(undefined, undefined, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'as' }), { accessKeyId: 'a', secretAccessKey: 'as' });
  assert.equal(givenCredentials(undefined, undefined, { EC2_ACCESS_KEY: 'half' }), undefined);
  assert.throws(() => givenCredentials('k', undefined, env), /give both --access-key and --secret-key/);
});

test('endpoint: -U, then EC2_URL, then localhost:4567; junk refused', () => {
  assert.equal(endpointUrl('http://a:1/', { EC2_URL: 'http://b:2/' }), 'http://a:1/');
  assert.equal(endpointUrl(undefined, { EC2_URL: 'http://b:2/' }), 'http://b:2/');
  assert.equal(endpointUrl(undefined, {}), 'http://localhost:4567/');
  assert.throws(() => endpointUrl('not a url', {}), (e: unknown) => e instanceof EconeError && e.exitCode === 1);
  assert.throws(() => endpointUrl('ftp://h/', {}), /not an http\(s\) URL/);
});

test("the server's EC2 error code and message in one line", () => {
  const err = new EC2ServiceException({
    name: 'AuthFailure',
    $fault: 'client',
    $metadata: { httpStatusCode: 401, requestId: 'r-1' },
    message: 'AWS was not able to validate the provided access credentials\nmore',
  });
  assert.deepEqual(describeFailure(err, 'http://h/'), { message: 'AuthFailure: AWS was not able to validate the provided access credentials', exitCode: 255 });
  assert.match(describeFailure(err, 'http://h/', true).message, /\(request r-1, HTTP 401\)$/);
});

test('an unreachable server, a usage error, anything else', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.deepEqual(describeFailure(refused, 'http://127.0.0.1:1/'), { message: 'cannot reach http://127.0.0.1:1/: ECONNREFUSED', exitCode: 255 });
  assert.deepEqual(describeFailure(new EconeError('bad', 1), ''), { message: 'bad', exitCode: 1 });
  assert.deepEqual(describeFailure(new Error('boom\nstack'), ''), { message: 'boom', exitCode: 255 });
});
