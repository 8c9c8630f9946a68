/**
 * Scheduler expressions (src/sched/expr): how many evaluations per second a typical
 * SCHED_REQUIREMENTS and SCHED_RANK reach over 10,000 host attribute maps, and what compiling one
 * costs. In process, no oned; not a test, asserts nothing.
 *
 *   node dist/bench/sched-expr.js [--hosts 10000] [--seconds 2]
 */
import { parseArgs } from 'node:util';
import { attributesOf, parseRank, parseRequirements, type Attributes } from '../src/sched/expr/index.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '2' } } });
const HOSTS = Number(values.hosts);
const SECONDS = Number(values.seconds);

const REQUIREMENTS = 'HYPERVISOR = "kvm" & FREE_CPU > 50 & !(ID = 3) & NAME = "node*" & (CLUSTER_ID = 100 | CLUSTER_ID = 101)';
const RANK = 'FREE_CPU / (RUNNING_VMS + 1) - LOAD * 10';

/** A monitored host's attributes, about as many as a host template, HOST_SHARE and MONITORING give. */
function host(i: number): Attributes {
  return attributesOf({
    ID: String(i), NAME: `node${i}`, HYPERVISOR: i % 10 === 0 ? 'xen' : 'kvm', CLUSTER_ID: String(100 + (i % 3)),
    FREE_CPU: String(i % 400), USED_CPU: String(400 - (i % 400)), MAX_CPU: '400', FREE_MEM: String(i * 1024),
    MAX_MEM: '16777216', RUNNING_VMS: String(i % 7), LOAD: (i % 100 / 100).toFixed(2), ARCH: 'x86_64',
    CPUSPEED: '2400', MODELNAME: 'Intel Xeon', RESERVED_CPU: '', RESERVED_MEM: '', TAG: ['ssd', `rack${i % 20}`],
  });
}

/** Runs `pass` over every host until SECONDS pass; returns evaluations per second. */
function rate(pass: (h: Attributes) => unknown, hosts: readonly Attributes[]): { perSecond: number; cycleMs: number } {
  for (const h of hosts) pass(h); // warm-up: let the JIT compile the closures
  let evaluations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (const h of hosts) pass(h);
    evaluations += hosts.length;
    elapsed = performance.now() - start;
  }
  const perSecond = (evaluations * 1000) / elapsed;
  return { perSecond, cycleMs: (hosts.length * 1000) / perSecond };
}

function compileMicros(parse: (text: string) => unknown, text: string): number {
  const n = 20_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) parse(text);
  return ((performance.now() - start) * 1000) / n;
}

const hosts = Array.from({ length: HOSTS }, (_, i) => host(i));
const requirements = parseRequirements(REQUIREMENTS);
const rank = parseRank(RANK);
const matching = hosts.filter((h) => requirements.test(h)).length;
const req = rate((h) => requirements.test(h), hosts);
const rk = rate((h) => rank.evaluate(h), hosts);

console.log(`${HOSTS} hosts, ${SECONDS} s per measurement, node ${process.version}`);
console.log(`requirements: ${REQUIREMENTS}`);
console.log(`  ${Math.round(req.perSecond).toLocaleString('en')} evaluations/s, ${req.cycleMs.toFixed(2)} ms per ${HOSTS} hosts (${matching} match)`);
console.log(`  compile: ${compileMicros(parseRequirements, REQUIREMENTS).toFixed(1)} µs`);
console.log(`rank: ${RANK}`);
console.log(`  ${Math.round(rk.perSecond).toLocaleString('en')} evaluations/s, ${rk.cycleMs.toFixed(2)} ms per ${HOSTS} hosts`);
console.log(`  compile: ${compileMicros(parseRank, RANK).toFixed(1)} µs`);
