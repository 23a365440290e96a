// The notes board through its generated hooks: the local context `notes(board)`, cached by the
// server and tagged `notes:{board}`, and the call `notes.add(board, text)`, which purges that tag
// (spec §2.16). Nothing here refetches by hand: the runtime refetches the board after this page's
// own `notes.add` (with the rev the call issued) and after another page's, heard over the socket.
import { useMizanClient } from 'mizan-react';
import { useState, type FormEvent } from 'react';
import { NotesProvider, useNotes, useNotesAdd } from './mizan';
import { describe } from './describe';
import { Explain } from './Explain';
import { carriesCall, contextParams, contextRev, isContextRead, shownStatus } from './log/requests';
import { useRequestLog } from './log/useRequestLog';

function NotesList({ board }: { board: string }) {
  const notes = useNotes();
  return (
    <ul data-testid="notes-list" data-board={board} data-loaded={notes.data !== undefined} aria-live="polite">
      {notes.data?.map((note) => <li key={note.id}>{note.text}</li>)}
      {notes.data?.length === 0 ? <li className="empty">No notes on this board yet.</li> : null}
      {notes.error ? <li role="alert">{describe(notes.error)}</li> : null}
    </ul>
  );
}

function AddNote({ board }: { board: string }) {
  const add = useNotesAdd();
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ board, text }, { onSuccess: () => setText('') });
  };
  return (
    <form onSubmit={submit} className="inline-form">
      <input aria-label="note text" placeholder="Write a note" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={text === '' || add.isPending}>
        Add note
      </button>
      {add.error ? <span role="alert"> {describe(add.error)}</span> : null}
    </form>
  );
}

/** The last read of `board` and the last `notes.add`, from the log: the cache at work. */
function NotesFacts({ board }: { board: string }) {
  const baseUrl = useMizanClient().baseUrl;
  const { entries } = useRequestLog();
  const read = entries.find(
    (entry) =>
      isContextRead(entry, baseUrl, 'notes') &&
      entry.status !== undefined &&
      entry.status !== 0 &&
      contextParams(entry) === JSON.stringify({ board }),
  );
  const add = entries.find((entry) => carriesCall(entry, baseUrl, 'notes.add') && entry.status !== undefined);
  const rev = read && contextRev(read);
  return (
    <Explain testId="notes-facts">
      <li>
        The server caches each board's answer, tagged <code>notes:{board}</code>.{' '}
        {read ? (
          <>
            Last read: <strong>{shownStatus(read)}</strong>, server cache{' '}
            <strong data-testid="notes-cache-status">{read.cacheStatus ?? 'not reported'}</strong>
            {rev === undefined ? '' : ` at rev ${rev}`} (<code>X-Mizan-Cache-Status</code>).
          </>
        ) : null}
      </li>
      <li>
        <code>notes.add</code> purges that tag, and the page reads the board again with the rev the
        purge issued, so no cache on the way answers with the old list; other pages on the board
        hear of it over their socket.
        {add?.invalidated ? (
          <>
            {' '}
            Last add: purged <code data-testid="notes-purged">{add.invalidated.join(' ')}</code>
            {add.rev === undefined ? '' : `, rev ${add.rev}`}.
          </>
        ) : null}
      </li>
    </Explain>
  );
}

/** A board's notes, shown live: every page on the same board sees a new note at once. */
export function NotesPanel() {
  const [board, setBoard] = useState('main');
  return (
    <section className="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes: the server cache and live invalidation</h2>
      <label className="field">
        <span>Board</span>
        <input aria-label="notes board" value={board} onChange={(e) => setBoard(e.target.value)} />
      </label>
      {board === '' ? null : (
        <NotesProvider board={board}>
          <NotesList board={board} />
          <AddNote board={board} />
          <NotesFacts board={board} />
        </NotesProvider>
      )}
    </section>
  );
}
