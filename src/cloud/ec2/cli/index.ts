/**
 * The OpenNebula 3.x EC2 command-line tools (`econe-*`), built on the AWS SDK for JavaScript v3
 * as their EC2 client: one file per command under bin/, the shared option parsing, credentials,
 * tables and error lines here. See docs/ec2.md, "3.x command-line tools".
 */
export type { EconeCommand, EconeContext, EconeOption, Credentials } from './command.js';
export { EconeError } from './command.js';
export { runEcone, main } from './run.js';
export { parseCommandLine, helpText, COMMON_OPTIONS } from './options.js';
export { describeFailure, givenCredentials, endpointUrl, makeClient } from './client.js';
export { formatTable, formatFields } from './table.js';
export { uploadImage } from './upload.js';
