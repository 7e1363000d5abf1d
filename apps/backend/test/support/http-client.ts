import { randomUUID } from 'node:crypto';
import { createContractClient } from '@tasks/api-client';

/** Raw requests (malformed ones included) go through the one client's untyped side. */
export { rawRequest as call, type Exchange, type RawRequestOptions as RequestOptions } from '@tasks/api-client';

export interface Account {
  email: string;
  password: string;
  token: string;
  id: string;
}

/** Registers a fresh account over HTTP and returns its token. */
export async function registerAccount(baseUrl: string, label = 'user'): Promise<Account> {
  const email = `${label}-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  const auth = await createContractClient({ baseUrl, timeoutMs: 20_000 }).register({ email, password });
  return { email, password, token: auth.accessToken, id: auth.user.id };
}
