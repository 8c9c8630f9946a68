/**
 * What an action script's stderr means, by OpenNebula's conventions:
 * - lines `ERROR: text`, `WARNING: text` (or `WARN:`), `INFO: text`, `DEBUG: text` are log
 *   messages, forwarded as LOG lines of that severity;
 * - a block between `ERROR MESSAGE --8<------` and `ERROR MESSAGE ------>8--` is the error
 *   message of a failed script;
 * - other lines are plain output: on failure their last lines make the message.
 */
import type { Severity } from '../protocol.js';

export interface ScriptLog {
  readonly severity: Severity;
  readonly text: string;
}

export interface ParsedStderr {
  readonly logs: readonly ScriptLog[];
  /** Lines that are neither log messages nor inside an error block. */
  readonly plain: readonly string[];
  /** Text of the last error block, joined with blanks. */
  readonly errorBlock?: string;
}

export const ERROR_OPEN = 'ERROR MESSAGE --8<------';
export const ERROR_CLOSE = 'ERROR MESSAGE ------>8--';

const LOG_LINE = /^(ERROR|WARNING|WARN|INFO|DEBUG):\s?(.*)$/;
const SEVERITY: Record<string, Severity> = { ERROR: 'E', WARNING: 'W', WARN: 'W', INFO: 'I', DEBUG: 'D' };

/** Lines of plain stderr that make a failure message. */
const MESSAGE_LINES = 3;

export function parseStderr(stderr: string): ParsedStderr {
  const logs: ScriptLog[] = [];
  const plain: string[] = [];
  let block: string[] | undefined;
  let errorBlock: string | undefined;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === ERROR_OPEN) {
      block = [];
    } else if (line === ERROR_CLOSE && block) {
      errorBlock = block.join(' ');
      block = undefined;
    } else if (block) {
      if (line !== '') block.push(line);
    } else if (line !== '') {
      const m = LOG_LINE.exec(line);
      if (m) logs.push({ severity: SEVERITY[m[1]!]!, text: m[2]!.trim() });
      else plain.push(line);
    }
  }
  // An unterminated block still says what went wrong.
  if (block && block.length > 0) errorBlock = block.join(' ');
  return { logs, plain, errorBlock };
}

/**
 * The message of a failed script: its error block, else the last lines of plain stderr, else its
 * last `ERROR:` line, else the last lines of stdout (the cloud-provider guide tells scripts to
 * print their error there), else `fallback`.
 */
export function failureMessage(parsed: ParsedStderr, stdout: string, fallback: string): string {
  if (parsed.errorBlock) return parsed.errorBlock;
  if (parsed.plain.length > 0) return parsed.plain.slice(-MESSAGE_LINES).join(' ');
  for (let i = parsed.logs.length - 1; i >= 0; i--) {
    if (parsed.logs[i]!.severity === 'E') return parsed.logs[i]!.text;
  }
  const out = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (out.length > 0) return out.slice(-MESSAGE_LINES).join(' ');
  return fallback;
}
