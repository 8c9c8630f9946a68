/** nebula-ts as a library: the client of oned's API (OCA). The daemon is `oned`. */
export * from './oca/index.js';
