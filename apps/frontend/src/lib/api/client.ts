import { createContractClient } from './contract-client.js';
import { loadToken } from '../session.js';

/** The browser's client: same origin as the page, token restored from the last session. */
export const api = createContractClient({ baseUrl: window.location.origin, token: loadToken() });
