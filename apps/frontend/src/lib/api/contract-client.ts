// ========== Spec: backend-tasks-api ==========
// The frontend's entry point to the one typed client of the Tasks API (@tasks/api-client), shared
// with the E2E suite, the backend's integration tests, bench and soak.
export * from '@tasks/api-client';
