// The notes board through its generated hooks: the local context `notes(board)`, cached by the
// server and tagged `notes:{board}`, and the call `notes.add(board, text)`, which purges that tag
// (spec §2.16). Nothing here refetches by hand: the runtime refetches the board after this page's
// own `notes.add` (with the rev the call issued) and after another page's, heard over the socket.
import { useState, type FormEvent } from 'react';
import { NotesProvider, useNotes, useNotesAdd } from './mizan';
import { describe } from './describe';

function NotesList({ board }: { board: string }) {
  const notes = useNotes();
  return (
    <ul data-testid="notes-list" data-board={board} data-loaded={notes.data !== undefined} aria-live="polite">
      {notes.data?.map((note) => <li key={note.id}>{note.text}</li>)}
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
    <form onSubmit={submit}>
      <input aria-label="note text" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={text === '' || add.isPending}>
        Add note
      </button>
      {add.error ? <span role="alert"> {describe(add.error)}</span> : null}
    </form>
  );
}

/** A board's notes, shown live: every page on the same board sees a new note at once. */
export function NotesPanel() {
  const [board, setBoard] = useState('main');
  return (
    <section>
      <h2>Notes</h2>
      <input aria-label="notes board" value={board} onChange={(e) => setBoard(e.target.value)} />
      {board === '' ? null : (
        <NotesProvider board={board}>
          <NotesList board={board} />
          <AddNote board={board} />
        </NotesProvider>
      )}
    </section>
  );
}
