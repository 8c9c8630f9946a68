/**
 * The Prometheus text exposition format (version 0.0.4) of gauge families, written straight into
 * strings: a family keeps its samples as rendered lines. prom-client's registry builds a label
 * object, a hash and a sample object per value and took seconds per 100,000 VMs (nine samples
 * each; bench/README.md "Prometheus exporter"), so the pool families are rendered here and
 * prom-client serves the exporter's own process metrics beside them.
 */

/** What Prometheus needs to know of a family: its name, help and labels, in order. */
export interface FamilySpec {
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
}

/** `\`, `"` and newlines escaped, as label values need. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** `\` and newlines escaped, as HELP text needs. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the format writes it (`NaN`, `+Inf`, `-Inf`, else the number). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** One gauge family and its samples of this scrape. */
export class GaugeFamily {
  private readonly lines: string[] = [];

  constructor(readonly spec: FamilySpec) {}

  /**
   * Adds a sample: `values` are the label values in the order of `spec.labels`. A value that is
   * not a finite number (the attribute is missing or not a number) is left out, as a sample
   * nobody can read is worse than none.
   */
  set(values: readonly (string | number)[], value: number): void {
    if (!Number.isFinite(value)) return;
    const { name, labels } = this.spec;
    if (labels.length === 0) {
      this.lines.push(`${name} ${formatValue(value)}`);
      return;
    }
    let line = `${name}{`;
    for (let i = 0; i < labels.length; i++) {
      const v = values[i];
      line += `${i > 0 ? ',' : ''}${labels[i]}="${typeof v === 'number' ? String(v) : escapeLabelValue(v ?? '')}"`;
    }
    this.lines.push(`${line}} ${formatValue(value)}`);
  }

  get size(): number {
    return this.lines.length;
  }

  /** `# HELP`, `# TYPE` and the samples, each line ending in a newline. */
  render(): string {
    const head = `# HELP ${this.spec.name} ${escapeHelp(this.spec.help)}\n# TYPE ${this.spec.name} gauge\n`;
    return this.lines.length === 0 ? head : `${head}${this.lines.join('\n')}\n`;
  }
}
