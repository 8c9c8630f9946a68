/**
 * The YAML conf files of the tool servers (sunstone-server, oneflow-server, econe-server):
 * a mapping of keys to values, keys with or without OpenNebula's Ruby-style leading colon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The entries of `file` as [key without its leading `:`, value, key as written], or [] when there
 * is no file or it is empty. Not YAML, or not a mapping: `fail(message)`, thrown.
 */
export function yamlConfEntries(file: string | undefined, fail: (message: string) => Error): Array<[string, unknown, string]> {
  if (!file || !existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw fail(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (raw == null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw fail(`${file}: expected a mapping of keys to values`);
  return Object.entries(raw as Record<string, unknown>).map(([key, value]) => [key.replace(/^:/, ''), value, key]);
}
