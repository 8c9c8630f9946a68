import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, type ResourceKind } from '../command.js';
import { RecordingContext } from '../testing.js';
import { hasTemplateOptions, memoryMb, multiple, templateFromOptions } from './vm-template-options.js';

/** A context whose names resolve from a fixed table (no oned). */
function context(options: Record<string, string | boolean | string[]>): RecordingContext {
  const ctx = new RecordingContext(options);
  const ids: Record<string, number> = { 'image:ubuntu': 4, 'image:data': 7, 'vnet:private': 2 };
  ctx.resolve = async (kind: ResourceKind, word: string) => {
    if (/^\d+$/.test(word)) return Number(word);
    const id = ids[`${kind}:${word}`];
    if (id === undefined) throw new CliError(`no ${kind} named ${word}`);
    return id;
  };
  return ctx;
}

test('a VM template from options, images and networks by name', async () => {
  const ctx = context({ name: 'web', cpu: '0.5', vcpu: '2', memory: '1G', disk: 'ubuntu,data', nic: ['private', '5'] });
  assert.ok(hasTemplateOptions(ctx));
  assert.equal(
    await templateFromOptions(ctx),
    'NAME = "web"\nCPU = 0.5\nVCPU = 2\nMEMORY = 1024\nDISK = [ IMAGE_ID = 4 ]\nDISK = [ IMAGE_ID = 7 ]\nNIC = [ NETWORK_ID = 2 ]\nNIC = [ NETWORK_ID = 5 ]',
  );
});

test('bad option values are one-line errors', async () => {
  await assert.rejects(templateFromOptions(context({ cpu: 'lots' })), (e: Error) => e instanceof CliError && /--cpu must be a positive number/.test(e.message));
  await assert.rejects(templateFromOptions(context({ vcpu: '0' })), /--vcpu must be a whole positive number/);
  await assert.rejects(templateFromOptions(context({ disk: 'nope' })), /no image named nope/);
  assert.throws(() => memoryMb('12X'), /--memory must be a size in MB/);
  assert.throws(() => multiple(context({ multiple: '0' })), /--multiple must be a positive whole number/);
  assert.equal(multiple(context({})), 1);
  assert.equal(multiple(context({ multiple: '3' })), 3);
  assert.equal(hasTemplateOptions(context({ name: 'only-a-name' })), false, 'a name alone is not a template');
});
