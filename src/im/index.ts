/** The Information Manager: host monitoring through IM drivers. */
export * from './information-manager.js';
