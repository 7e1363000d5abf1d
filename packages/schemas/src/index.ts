export * from './common.schema.js';
export * from './auth.schema.js';
export * from './task.schema.js';
export * from './change.schema.js';
export * from './events.schema.js';
export * from './bulk.schema.js';
export * from './problem-kinds.js';
