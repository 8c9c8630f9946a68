/**
 * saxes, loaded on first use. Loading it costs ~60-100 ms of CPU (its character tables), more
 * than the rest of a CLI command's modules; the common paths (oned's answers read by
 * fast-response, listings by the pool scanner) never need it, so `onevm list` should not pay.
 */
import { createRequire } from 'node:module';
import type { SaxesParser } from 'saxes';

const require = createRequire(import.meta.url);
let parserClass: typeof SaxesParser | undefined;

/** The SaxesParser class. */
export function saxesParser(): typeof SaxesParser {
  return (parserClass ??= (require('saxes') as typeof import('saxes')).SaxesParser);
}
