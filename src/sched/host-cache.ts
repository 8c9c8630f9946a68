/**
 * The hosts the previous cycle parsed, by id, with the text of their `<HOST>` element and of
 * their latest monitoring sample: a host whose element and sample read the same in this cycle's
 * listings is taken as parsed (a copy, for the cycle to change), so a cycle over 10,000 hosts
 * parses only those monitored or changed since the last one. The listings are split as text.
 */
import { parseXmlTree } from '../common/xml-tree.js';
import { SchedHost } from './sched-host.js';

interface Entry {
  readonly chunk: string;
  readonly sample: string;
  readonly host: SchedHost;
}

const HOST_START = '<HOST><ID>';

export class HostCache {
  private kept = new Map<number, Entry>();
  /** Hosts of the last read taken from the cache / parsed. */
  hits = 0;
  misses = 0;

  /** The hosts of `one.hostpool.info`, each with its sample of `one.hostpool.monitoring`. */
  read(hostXml: string, monitoringXml: string): SchedHost[] {
    const samples = samplesById(monitoringXml);
    const next = new Map<number, Entry>();
    const out: SchedHost[] = [];
    this.hits = 0;
    this.misses = 0;
    const poolEnd = hostXml.lastIndexOf('</HOST_POOL>');
    for (let from = hostXml.indexOf(HOST_START); from !== -1; ) {
      const to = hostXml.indexOf(HOST_START, from + HOST_START.length);
      const chunk = hostXml.slice(from, to === -1 ? (poolEnd === -1 ? hostXml.length : poolEnd) : to);
      const id = parseInt(chunk.slice(HOST_START.length, chunk.indexOf('</ID>')), 10);
      const sample = samples.get(id) ?? '';
      const kept = this.kept.get(id);
      let host: SchedHost;
      if (kept && kept.chunk === chunk && kept.sample === sample) {
        host = kept.host;
        this.hits++;
      } else {
        host = SchedHost.fromXml(parseXmlTree(chunk), sample ? parseXmlTree(sample) : undefined);
        this.misses++;
      }
      next.set(id, { chunk, sample, host });
      out.push(host.copy());
      from = to;
    }
    this.kept = next;
    return out;
  }
}

/** The `<MONITORING>` elements of a MONITORING_DATA document, as text, by host id. */
function samplesById(xml: string): Map<number, string> {
  const out = new Map<number, string>();
  for (let from = xml.indexOf('<MONITORING>'); from !== -1; ) {
    const end = xml.indexOf('</MONITORING>', from);
    if (end === -1) break;
    const chunk = xml.slice(from, end + 13);
    const at = chunk.indexOf('<ID>');
    if (at !== -1) out.set(parseInt(chunk.slice(at + 4, chunk.indexOf('</ID>', at)), 10), chunk);
    from = xml.indexOf('<MONITORING>', end);
  }
  return out;
}
