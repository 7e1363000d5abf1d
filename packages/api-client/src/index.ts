export * from './contract-client.js';
export * from './errors.js';
export * from './subscription.js';
export * from './raw.js';
export * from './task-sync.js';
export * from './retry.js';
