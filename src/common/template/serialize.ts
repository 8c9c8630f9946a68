import { xmlEscape } from '../xml.js';
import type { Attribute, Vector } from './attribute.js';
import { isBareValue } from './text-parser.js';

/**
 * The text syntax as clients write it (spec §5.1, Ruby OCA's `template_like_str`): one attribute
 * per line in the given order, `NAME="value"`, vectors as `NAME=[\n  K1="v1",\n  K2="v2" ]`,
 * `"` escaped as `\"`. A value ending in a backslash is written bare when it can be, since
 * `"…\"` would escape the closing quote; one that also holds blanks or separators cannot be
 * written in this syntax at all.
 */
export function templateToText(attributes: readonly Attribute[]): string {
  let out = '';
  for (let i = 0; i < attributes.length; i++) {
    const { name, value } = attributes[i]!;
    if (i > 0) out += '\n';
    out += name + '=';
    if (typeof value === 'string') {
      out += textValue(value);
    } else if (value.size === 0) {
      out += '[]';
    } else {
      let separator = '[\n  ';
      for (const [key, v] of value) {
        out += separator + key + '=' + textValue(v);
        separator = ',\n  ';
      }
      out += ' ]';
    }
  }
  return out;
}

function textValue(value: string): string {
  if (value.endsWith('\\') && isBareValue(value)) return value;
  return '"' + (value.includes('"') ? value.replaceAll('"', '\\"') : value) + '"';
}

/**
 * The XML form (spec §5.2) as oned writes it: attributes ordered by name (stable: insertion
 * order among equal names), vector keys alphabetically, values XML-escaped.
 */
export function templateToXml(attributes: readonly Attribute[], root: string): string {
  if (attributes.length === 0) return `<${root}/>`;
  const ordered = isSortedByName(attributes) ? attributes : attributes.slice().sort(byName);
  let out = '<' + root + '>';
  for (const { name, value } of ordered) {
    out += '<' + name + '>' + (typeof value === 'string' ? xmlEscape(value) : vectorXml(value)) + '</' + name + '>';
  }
  return out + '</' + root + '>';
}

function vectorXml(vector: Vector): string {
  let out = '';
  for (const key of [...vector.keys()].sort()) {
    out += '<' + key + '>' + xmlEscape(vector.get(key)!) + '</' + key + '>';
  }
  return out;
}

function byName(a: Attribute, b: Attribute): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isSortedByName(attributes: readonly Attribute[]): boolean {
  for (let i = 1; i < attributes.length; i++) if (attributes[i - 1]!.name > attributes[i]!.name) return false;
  return true;
}
