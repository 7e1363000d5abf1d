// The `scale` part's Results subsection: sockets at scale on one instance, against issue 17's targets.
import { mark, mb, ms, SOCKET_P99_MS, table } from './report-format.js';
import type { ScaleResult, Spread } from './socket-scale.js';

export const SCALE_RSS_MB = 450;

const spread = (d: Spread) => `${ms(d.p50)} / ${ms(d.p99)} / ${ms(d.max)}`;

export function renderSocketScale(s: ScaleResult): string {
  const clean = s.lost + s.misdelivered + s.duplicated === 0 && s.connected === s.sockets && s.disconnected === 0;
  const peak = Math.max(s.rss.peakMb, s.rss.hwmMb);
  return [
    `### Sockets at scale: ${s.sockets.toLocaleString('en-US')} sockets on one instance (PostgreSQL)`,
    '',
    table(
      ['sockets connected', 'events expected', 'delivered', 'lost', 'misdelivered', 'duplicated', 'unexpected', 'response → event p50 / p99 / max ms', 'commit → event p50 / p99 / max ms', 'request → event p50 / p99 ms', 'app CPU', 'app peak RSS MB'],
      [
        [
          `${s.connected}/${s.sockets}${s.disconnected ? ` (${s.disconnected} dropped)` : ''}`,
          `${s.expected}`,
          `${s.delivered}`,
          `${s.lost} ${mark(s.lost === 0)}`,
          `${s.misdelivered} ${mark(s.misdelivered === 0)}`,
          `${s.duplicated} ${mark(s.duplicated === 0)}`,
          `${s.unexpected}`,
          `${spread(s.responseToEvent)} ${mark(s.responseToEvent.p99 <= SOCKET_P99_MS)}`,
          `${spread(s.changeToEvent)} ${mark(s.changeToEvent.p99 <= SOCKET_P99_MS)}`,
          `${ms(s.requestToEvent.p50)} / ${ms(s.requestToEvent.p99)}`,
          `${s.appCpuPercent.toFixed(0)}%`,
          `${mb(s.rss.peakMb)} (VmHWM ${mb(s.rss.hwmMb)}) ${mark(peak <= SCALE_RSS_MB)}`,
        ],
      ],
    ),
    '',
    `${s.sockets} sockets (${s.sockets / s.users} for each of ${s.users} users) held by ${s.workers} worker processes, connected in ${s.connectSec.toFixed(1)} s ` +
      `(app CPU ${s.connectCpuMsPerSocket.toFixed(2)} ms per handshake; app RSS ${mb(s.rss.idleMb)} MB idle, ${mb(s.rss.connectedMb)} MB connected${s.firstConnectError ? `; first refusal: ${s.firstConnectError}` : ''}); ` +
      `then ${s.mutations} creates and title edits (${s.ratePerSec}/s for ${s.durationSec} s, after a warm-up whose events are checked but not timed${s.failedMutations ? `; ${s.failedMutations} failed` : ''}) from the bench process. ` +
      `App CPU over the stream ${s.appCpuPercent.toFixed(0)}% of one core, the socket workers' ${s.workersCpuPercent.toFixed(0)}% together. ` +
      `"response → event" is measured as in the section above (${(s.beforeResponse * 100).toFixed(0)}% of events overtook their response); ` +
      `"commit → event" from the change's \`meta.at\` (clock_timestamp() in the writing transaction, to the ms: a bound from above). ` +
      `Targets: p99 ≤ ${SOCKET_P99_MS} ms for both, none lost, misdelivered or duplicated ${mark(clean)}, peak RSS ≤ ${SCALE_RSS_MB} MB.`,
    '',
  ].join('\n');
}
