/**
 * Replays the reference's calls against a running oned and compares each raw answer with the
 * reference's, structurally (structure.ts), less the allow-list.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeMethodCall } from '../../src/rpc/xmlrpc/index.js';
import { compareResponses, responseValues, type Difference } from './structure.js';
import { STEPS, referenceFile, type Session, type Step } from './steps.js';
import { allowed } from './allow-list.js';

export const REFERENCE_DIR = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../test/conformance/reference/opennebula-7.4');

/** The oned.conf lines the replay needs beyond the defaults: hosts monitored every 2 s. */
export const CONFORMANCE_CONF = 'HOST_MONITORING_INTERVAL = 2\n';

export interface StepResult {
  readonly step: Step;
  readonly raw: string;
  /** Differences not on the allow-list. */
  readonly differences: Difference[];
  /** Differences the allow-list explains. */
  readonly allowed: Difference[];
}

/** Posts one call and returns the raw response body. */
export async function rawCall(endpoint: string, method: string, params: Step['args'], session: string): Promise<string> {
  const body = encodeMethodCall(method, [session, ...params]);
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return res.text();
}

function sessionString(session: Session | undefined, oneadmin: string): string {
  switch (session ?? 'oneadmin') {
    case 'oneadmin':
      return oneadmin;
    case 'user':
      return 'usr-ref7042:pw';
    case 'bad-password':
      return 'usr-ref7042:wrong-password';
  }
}

/** The text of the first `<element>` in an object document (escaped XML inside the response). */
function elementText(raw: string, element: string): string | undefined {
  const values = responseValues(raw);
  const doc = values[1]?.text ?? '';
  const m = new RegExp(`<${element}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(doc);
  return m?.[1];
}

async function callUntil(endpoint: string, step: Step, session: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const raw = await rawCall(endpoint, step.method, step.args, session);
    if (!step.until || step.until.every((w) => elementText(raw, w.element) === w.value) || Date.now() > deadline) return raw;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs every step in order against `endpoint` (a fresh oned) and compares each with the reference. */
export async function replay(endpoint: string, oneadmin: string, only?: (step: Step) => boolean): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of STEPS) {
    const raw = await callUntil(endpoint, step, sessionString(step.session, oneadmin), 30_000);
    if (only && !only(step)) continue;
    const reference = readFileSync(join(REFERENCE_DIR, referenceFile(step)), 'utf8');
    const all = compareResponses(raw, reference);
    results.push({
      step,
      raw,
      differences: all.filter((d) => !allowed(step, d)),
      allowed: all.filter((d) => allowed(step, d)),
    });
  }
  return results;
}

/** A readable listing of the differences, one step a paragraph. */
export function formatResults(results: readonly StepResult[], showAllowed = false): string {
  let out = '';
  for (const r of results) {
    const shown = showAllowed ? [...r.differences, ...r.allowed] : r.differences;
    if (shown.length === 0) continue;
    out += `${referenceFile(r.step)} (${r.step.method}): ${shown.length} difference(s)\n`;
    // The same difference at repeated siblings is said once, with a count.
    const lines = new Map<string, number>();
    for (const d of shown) {
      const line = `  ${d.path}: ${d.what}${r.allowed.includes(d) ? ' [allowed]' : ''}`;
      lines.set(line, (lines.get(line) ?? 0) + 1);
    }
    for (const [line, n] of lines) out += n > 1 ? `${line} (×${n})\n` : `${line}\n`;
  }
  return out;
}
