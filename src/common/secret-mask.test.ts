import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMask } from './secret-mask.js';

test('values of secret attributes are masked in template text and XML, others kept', () => {
  const m = new SecretMask(['EC2_SECRET', 'CONTEXT/PASSWORD', 'ONE_PASSWORD']);
  assert.equal(
    m.mask('EC2_ACCESS = "a"\nEC2_SECRET = "s3 \\" cr"\nONE_PASSWORD=plain\nCONTEXT = [ PASSWORD = "p", NETWORK = "YES" ]'),
    'EC2_ACCESS = "a"\nEC2_SECRET = "****"\nONE_PASSWORD="****"\nCONTEXT = [ PASSWORD = "****", NETWORK = "YES" ]',
  );
  assert.equal(m.mask('<TEMPLATE><EC2_SECRET><![CDATA[x]]></EC2_SECRET><NAME>n</NAME></TEMPLATE>'), '<TEMPLATE><EC2_SECRET>****</EC2_SECRET><NAME>n</NAME></TEMPLATE>');
  assert.equal(m.mask('no template here'), 'no template here');
});
