/**
 * TPM 2.0 constants: every table cites its section of the TCG TPM 2.0 Library specification, Part 2
 * "Structures" (section numbers as in revision 1.59; the tables themselves go up to revision 1.83).
 */
export * from './algorithms.js';
export * from './attributes.js';
export * from './command-codes.js';
export * from './handles.js';
export * from './manufacturers.js';
export * from './properties.js';
export * from './structure-tags.js';
