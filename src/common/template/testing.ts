import assert from 'node:assert/strict';
import type { Attribute } from './attribute.js';
import { TemplateSyntaxError } from './syntax-error.js';

/** Attributes as plain data for deepEqual: `[name, value]` with vectors as `[key, value][]`. */
export function plain(attributes: Iterable<Attribute>): [string, string | [string, string][]][] {
  return [...attributes].map(({ name, value }) => [name, typeof value === 'string' ? value : [...value]]);
}

/** The example template of spec §5.1. */
export const SPEC_EXAMPLE = `NAME   = "web-1"            # comment
CPU    = 0.5
MEMORY = 1024
DISK   = [ IMAGE_ID = 3, TARGET = "vda" ]
DISK   = [ TYPE = swap, SIZE = 1024 ]
NIC    = [ NETWORK = "public", NETWORK_UNAME = oneadmin ]
CONTEXT = [ HOSTNAME = "$NAME", ETH0_IP = "$NIC[IP, NETWORK=\\"public\\"]" ]
SCHED_REQUIREMENTS = "HYPERVISOR = kvm & FREE_CPU > 50"
`;

/** Asserts that `parse` throws a TemplateSyntaxError with exactly this detail, line and column. */
export function assertSyntaxError(parse: () => unknown, detail: string, line: number, column: number): void {
  assert.throws(parse, (err: unknown) => {
    assert.ok(err instanceof TemplateSyntaxError, `not a TemplateSyntaxError: ${String(err)}`);
    assert.equal(err.message, `${detail} at line ${line}, column ${column}`);
    assert.equal(err.line, line);
    assert.equal(err.column, column);
    return true;
  });
}
