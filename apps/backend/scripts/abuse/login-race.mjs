/** Issue 12 item 2: concurrent guesses for one email from one address never pass the limit (10). */
import { login, registerUser, tally } from './support/stats.mjs';

export default {
  name: 'login-race',
  async run({ baseUrl, log }) {
    const user = await registerUser(baseUrl);
    const burst = await Promise.all(Array.from({ length: 80 }, (_, i) => login(baseUrl, user.email, `wrong-${i}-guess`)));
    log(`80 concurrent wrong guesses: ${tally(burst)}`);

    const victim = await registerUser(baseUrl);
    const pending = [];
    for (let i = 0; i < 60; i += 1) {
      pending.push(login(baseUrl, victim.email, i === 54 ? victim.password : `wrong-${i}-guess`));
      if (i === 53) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const mixed = await Promise.all(pending);
    const after = await login(baseUrl, victim.email, victim.password);
    log(`60 concurrent with the right one at #54: ${tally(mixed)}; right one ${mixed[54]}; next right login ${after}`);
    return {
      'wrong guesses let through of 80 concurrent (limit 10)': burst.filter((s) => s === 401).length,
      'attempts let through of 60 concurrent, right one at #54': mixed.filter((s) => s === 401 || s === 200).length,
      'status of the right password at #54': mixed[54],
      'status of the right password after the burst': after,
    };
  },
};
