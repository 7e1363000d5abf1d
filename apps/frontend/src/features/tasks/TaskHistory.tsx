import { describeChange } from './task-history.js';
import { useTaskHistory } from './task-queries.js';

// Seconds matter here: a start, a log and a failure often fall in the same minute.
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The task's timeline from `GET /api/tasks/:id/history`, newest first; the sync re-reads it on each change. */
export function TaskHistory({ id }: { id: string }) {
  const history = useTaskHistory(id);
  const changes = (history.data?.pages ?? []).flatMap((page) => page.items);
  const seen = new Set<string>();
  const unique = changes.filter((change) => !seen.has(change.cursor) && seen.add(change.cursor) !== undefined);
  const loading = history.isPending || history.isFetchingNextPage;
  return (
    <section className="history" aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      {unique.length === 0 ? (
        <p className="muted">{loading ? 'Loading…' : history.isError ? 'The history could not be read.' : 'No history kept.'}</p>
      ) : (
        <ol className="timeline" data-testid="history" aria-label="History, newest first">
          {unique.map((change) => {
            const line = describeChange(change);
            return (
              <li key={change.cursor} className={`timeline-item timeline-${line.kind}`}>
                <time dateTime={change.at}>{timeFormat.format(new Date(change.at))}</time>
                <span className="timeline-text">{line.text}</span>
              </li>
            );
          })}
        </ol>
      )}
      {history.hasNextPage && (
        <button type="button" className="link" onClick={() => void history.fetchNextPage()} disabled={loading}>
          Load earlier history
        </button>
      )}
    </section>
  );
}
