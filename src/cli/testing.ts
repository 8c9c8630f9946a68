/** A context for unit tests of commands and output: options given, printed lines collected. */
import type { Oca } from '../oca/index.js';
import type { CliContext, ResourceKind } from './command.js';
import { Resolver } from './resolve.js';

export class RecordingContext implements CliContext {
  readonly lines: string[] = [];
  private readonly resolver: Resolver;

  constructor(
    readonly options: Record<string, string | boolean | string[] | undefined> = {},
    private readonly client?: Oca,
  ) {
    this.resolver = new Resolver(() => this.one);
  }

  get one(): Oca {
    if (!this.client) throw new Error('this test context has no client');
    return this.client;
  }
  resolve(kind: ResourceKind, idOrName: string): Promise<number> {
    return this.resolver.resolve(kind, idOrName);
  }
  resolveRange(kind: ResourceKind, text: string | string[]): Promise<number[]> {
    return this.resolver.resolveRange(kind, text);
  }
  print(line: string): void {
    this.lines.push(...line.split('\n'));
  }
}
