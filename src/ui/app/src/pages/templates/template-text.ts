/**
 * OpenNebula template text from the JSON tree of an XML template (`TEMPLATE` of a VM or VM
 * template), and back-and-forth helpers for forms. Values are always double-quoted, quotes and
 * backslashes escaped, so any value survives oned's parser.
 */
import type { Tree } from '../../api';

export function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function vector(name: string, v: Record<string, unknown>): string {
  const parts = Object.entries(v).map(([k, x]) => `  ${k} = ${quote(typeof x === 'string' ? x : '')}`);
  return `${name} = [\n${parts.join(',\n')} ]`;
}

/** The tree as template text, one attribute (or vector) per line. */
export function templateText(tree: Tree): string {
  if (!tree || typeof tree !== 'object') return '';
  const lines: string[] = [];
  for (const [name, value] of Object.entries(tree as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v && typeof v === 'object') lines.push(vector(name, v as Record<string, unknown>));
      else lines.push(`${name} = ${quote(String(v ?? ''))}`);
    }
  }
  return lines.join('\n');
}

/** A vector attribute from its fields, leaving out empty ones. */
export function vectorText(name: string, fields: Record<string, string | number | undefined>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `  ${k} = ${quote(String(v))}`);
  return `${name} = [\n${parts.join(',\n')} ]`;
}
