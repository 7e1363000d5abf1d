export * from './backend-process.js';
export * from './databases.js';
export * from './ports.js';
export * from './readiness.js';
export * from './start-command.js';
export * from './factories.js';
export * from './lock-file.js';
