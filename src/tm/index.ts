/** The Transfer Manager: transfer files and the TM_MAD driver. */
export * from './transfer-manager.js';
