/** A template (text or XML) that cannot be parsed; `line` and `column` are 1-based. */
export class TemplateSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  /** `detail` says what was wrong; the position is appended to the message. */
  constructor(detail: string, line: number, column: number) {
    super(`${detail} at line ${line}, column ${column}`);
    this.name = 'TemplateSyntaxError';
    this.line = line;
    this.column = column;
  }
}
