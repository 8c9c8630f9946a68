/**
 * What an action gets: the request's parameters, the signed-in user, clients of oned as that
 * user (`one`) and as the server account (`admin`, for what users cannot do themselves, such as
 * reading a network's elastic-IP records), the configuration, and uploaded files.
 */
import type { Oca } from '../../oca/index.js';
import type { Ec2User } from './auth.js';
import type { EconeConfig } from './config.js';
import type { Params } from './params.js';

export interface Ec2Context {
  readonly action: string;
  /** The API version the client asked for (`2016-11-15`). */
  readonly version: string;
  readonly requestId: string;
  readonly user: Ec2User;
  /** oned as the user (a server session: serveradmin acting for the user). */
  readonly one: Oca;
  /** oned as the server account itself. */
  readonly admin: Oca;
  readonly conf: EconeConfig;
  readonly params: Params;
  /** Files of a multipart/form-data body, by field name. */
  readonly files: ReadonlyMap<string, File>;
  /** A line for the server's log (never secrets). */
  log(line: string): void;
}

/** An action: returns the inner XML of its `<ActionResponse>` (after requestId). */
export type Ec2Action = (ctx: Ec2Context) => Promise<string>;
