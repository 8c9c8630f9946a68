import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xmlElement, xmlEscape } from './xml.js';

test('escapes the five special characters and keeps everything else', () => {
  assert.equal(xmlEscape('plain text ü'), 'plain text ü');
  assert.equal(xmlEscape(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  assert.equal(xmlEscape('<'), '&lt;');
  assert.equal(xmlEscape('x&'), 'x&amp;');
  assert.equal(xmlEscape('<USER><NAME>a&b</NAME></USER>'), '&lt;USER&gt;&lt;NAME&gt;a&amp;b&lt;/NAME&gt;&lt;/USER&gt;');
});

test('elements', () => {
  assert.equal(xmlElement('NAME', 'a<b'), '<NAME>a&lt;b</NAME>');
  assert.equal(xmlElement('ID', 7), '<ID>7</ID>');
});
