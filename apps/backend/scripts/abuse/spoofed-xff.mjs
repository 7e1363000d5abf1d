/**
 * Issue 12 item 4: behind one trusted proxy (TRUST_PROXY=1; this script plays the proxy on
 * 127.0.0.1), a client that prepends its own X-Forwarded-For hops is still limited as the address
 * the proxy saw.
 */
import { login, registerUser, tally } from './support/stats.mjs';

export default {
  name: 'spoofed-xff',
  env: { TRUST_PROXY: '1' },
  async run({ baseUrl, log }) {
    const user = await registerUser(baseUrl);
    const statuses = [];
    for (let i = 0; i < 25; i += 1) {
      statuses.push(await login(baseUrl, user.email, `wrong-${i}-guess`, { 'x-forwarded-for': `10.1.1.${i}, 203.0.113.7` }));
    }
    const right = await login(baseUrl, user.email, user.password, { 'x-forwarded-for': '10.1.1.200, 203.0.113.7' });
    log(`25 spoofed wrong guesses: ${tally(statuses)}; then the right password: ${right}`);
    return {
      'wrong guesses let through of 25 spoofed (limit 10)': statuses.filter((s) => s === 401).length,
      'status of the right password after them': right,
    };
  },
};
