import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXmlTree } from '../common/xml-tree.js';
import { templateText } from './template-text.js';

test('a template prints as NAME="value" lines, vectors indented, quotes escaped', () => {
  const t = parseXmlTree('<TEMPLATE><EMAIL>a@b</EMAIL><NOTE><![CDATA[say "hi"]]></NOTE><NIC><IP>10.0.0.1</IP><NETWORK>pub</NETWORK></NIC></TEMPLATE>');
  assert.equal(templateText(t), 'EMAIL="a@b"\nNOTE="say \\"hi\\""\nNIC=[\n  IP="10.0.0.1",\n  NETWORK="pub" ]');
  assert.equal(templateText(undefined), '');
  assert.equal(templateText(parseXmlTree('<TEMPLATE/>')), '');
});
