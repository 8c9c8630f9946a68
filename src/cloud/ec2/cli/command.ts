/**
 * What an `econe-*` command is: its name, usage line, options beyond the common ones, its
 * positional arguments and what it does with an EC2 client. Each command lives in its own file
 * under bin/ and hands its definition to `runEcone`.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';

export interface EconeOption {
  /** Long name without dashes (`user-data`). */
  readonly long: string;
  /** One letter (`d`), as the 3.x tools had. */
  readonly short?: string;
  /** The value's name in the help (`DATA`); none for a flag. */
  readonly value?: string;
  readonly description: string;
}

export interface EconeArg {
  readonly name: string;
  readonly optional?: boolean;
}

export interface EconeCommand {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly EconeOption[];
  readonly args?: readonly EconeArg[];
  run(ctx: EconeContext): Promise<void>;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What a command runs with. */
export interface EconeContext {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly args: readonly string[];
  /** The EC2 endpoint (`-U`, else EC2_URL, else http://localhost:4567/). */
  readonly url: string;
  /** The AWS SDK client, made on first use. */
  ec2(): Promise<EC2Client>;
  credentials(): Promise<Credentials>;
  print(line: string): void;
}

/** A mistake on the command line (exit code 1), or an error already worded for the user (255). */
export class EconeError extends Error {
  constructor(message: string, readonly exitCode = 255) {
    super(message);
    this.name = 'EconeError';
  }
}
