import { useEffect, useEffectEvent, useState } from 'react';

const DEBOUNCE_MS = 300;

/** The search field: the list is asked again once typing pauses, not on every key. */
export function SearchBox({ value, onSearch }: { value: string; onSearch(q: string): void }) {
  const [text, setText] = useState(value);
  const search = useEffectEvent(onSearch);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => search(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <div className="filter search">
      <label htmlFor="filter-q">Search</label>
      <input id="filter-q" type="search" value={text} maxLength={200} placeholder="Words in the title or description" onChange={(event) => setText(event.target.value)} />
    </div>
  );
}
