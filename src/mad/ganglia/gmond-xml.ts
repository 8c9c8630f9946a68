/**
 * Reading Ganglia's XML dump: what gmond (TCP port 8649) and gmetad (8651) write to whoever
 * connects. A document holds CLUSTER elements (gmetad: inside GRID elements) of HOST elements,
 * each with its METRIC elements (`NAME`, `VAL`, `TYPE`, `UNITS`, `TN` seconds since the value
 * was reported, `TMAX` the longest expected gap). Read with saxes, fed chunk by chunk as the
 * socket delivers them, so a gmetad of thousands of hosts is never held as one string; the
 * DOCTYPE's internal subset is skipped, never expanded (no entity declarations are honoured).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export interface GangliaMetric {
  readonly val: string;
  readonly type: string;
  readonly units: string;
  /** Seconds since gmond last heard this value. */
  readonly tn: number;
  /** Longest expected time between two reports of this value. */
  readonly tmax: number;
  /** gmond cut the value's line (over 1,024 bytes): `val` is empty. */
  readonly truncated?: boolean;
}

export interface GangliaHost {
  readonly name: string;
  readonly ip: string;
  readonly cluster: string;
  /** Epoch seconds of the host's last report. */
  readonly reported: number;
  /** Seconds since the host's last report. */
  readonly tn: number;
  readonly tmax: number;
  readonly metrics: Map<string, GangliaMetric>;
}

/** The hosts of one dump, found by name and by IP. */
export class GangliaDump {
  private readonly byName = new Map<string, GangliaHost>();
  private readonly byIp = new Map<string, GangliaHost>();
  /** Names of the hosts in document order. */
  readonly names: string[] = [];

  add(host: GangliaHost): void {
    if (!this.byName.has(host.name)) this.names.push(host.name);
    this.byName.set(host.name, host);
    if (host.ip !== '') this.byIp.set(host.ip, host);
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * The host OpenNebula calls `name`: the HOST whose NAME is it, else whose IP is it, else
   * (names compared without case) the only HOST whose NAME, or its first label, is it.
   */
  find(name: string): GangliaHost | undefined {
    const exact = this.byName.get(name) ?? this.byIp.get(name);
    if (exact) return exact;
    const want = name.toLowerCase();
    const wantShort = want.split('.')[0]!;
    let found: GangliaHost | undefined;
    for (const h of this.byName.values()) {
      const n = h.name.toLowerCase();
      if (n === want || n.split('.')[0] === wantShort) {
        if (found) return undefined;
        found = h;
      }
    }
    return found;
  }
}

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/**
 * A METRIC line that does not end its tag: gmond writes each element on a line of at most 1,024
 * bytes and cuts longer ones (a long `gmetric` string) where the tag should end, with the next
 * element written right after, which breaks the whole document. Such a tag is read as the
 * metric with an empty value and `truncated` set, so one host's long value does not take every
 * host of the dump with it.
 */
const CUT_METRIC = /^<METRIC NAME="([^"\n]*)"[^<>\n]*(?=<|\n)/gm;

/** Longest line kept back waiting for its end. */
const MAX_LINE = 1 << 20;

function cutMetric(_line: string, name: string): string {
  return `<METRIC NAME="${name}" VAL="" TYPE="string" TRUNCATED="yes">`;
}

/** A push parser of a dump: `write` the chunks as they come, then `end` for the hosts. */
export class GangliaXmlReader {
  private readonly parser = new SaxesParser();
  private readonly dump = new GangliaDump();
  private error: Error | undefined;
  private sawRoot = false;
  private cluster = '';
  private host: GangliaHost | undefined;
  /** The end of the text fed so far after its last line break. */
  private partial = '';

  constructor() {
    this.parser.on('error', (e) => {
      this.error ??= e;
    });
    this.parser.on('opentag', (tag: SaxesTagPlain) => this.open(tag));
    this.parser.on('closetag', (tag: SaxesTagPlain) => {
      if (tag.name === 'HOST' && this.host) {
        this.dump.add(this.host);
        this.host = undefined;
      } else if (tag.name === 'CLUSTER') this.cluster = '';
    });
  }

  private open(tag: SaxesTagPlain): void {
    const a = tag.attributes as Record<string, string>;
    switch (tag.name) {
      case 'GANGLIA_XML':
        this.sawRoot = true;
        return;
      case 'CLUSTER':
        this.cluster = a['NAME'] ?? '';
        return;
      case 'HOST':
        this.host = {
          name: a['NAME'] ?? '',
          ip: a['IP'] ?? '',
          cluster: this.cluster,
          reported: num(a['REPORTED']),
          tn: num(a['TN']),
          tmax: num(a['TMAX']),
          metrics: new Map(),
        };
        return;
      case 'METRIC':
        if (this.host && a['NAME']) {
          const metric: GangliaMetric = { val: a['VAL'] ?? '', type: a['TYPE'] ?? '', units: a['UNITS'] ?? '', tn: num(a['TN']), tmax: num(a['TMAX']) };
          this.host.metrics.set(a['NAME'], a['TRUNCATED'] ? { ...metric, truncated: true } : metric);
        }
        return;
    }
  }

  /** Feeds a chunk of the document. @throws the parser's first error */
  write(chunk: string): void {
    if (this.error) throw this.error;
    // Whole lines only, so that a METRIC line gmond cut can be seen whole.
    const text = this.partial + chunk;
    const last = text.lastIndexOf('\n');
    this.partial = last < 0 ? text : text.slice(last + 1);
    if (last >= 0) this.feed(text.slice(0, last + 1));
    // A document without line breaks (not gmond's) is not held whole: fed as it comes.
    if (this.partial.length > MAX_LINE) {
      this.feed(this.partial);
      this.partial = '';
    }
  }

  private feed(lines: string): void {
    this.parser.write(lines.includes('<METRIC ') ? lines.replace(CUT_METRIC, cutMetric) : lines);
    if (this.error) throw this.error;
  }

  /** Ends the document. @throws when it is malformed or not a Ganglia dump */
  end(): GangliaDump {
    if (!this.error && this.partial !== '') this.feed(this.partial);
    if (!this.error) this.parser.close();
    if (this.error) throw this.error;
    if (!this.sawRoot) throw new Error('not a Ganglia XML dump (no GANGLIA_XML element)');
    return this.dump;
  }
}

/** Reads a whole dump. @throws when it is malformed or not a Ganglia dump */
export function parseGangliaXml(xml: string): GangliaDump {
  const r = new GangliaXmlReader();
  r.write(xml);
  return r.end();
}
