import { useEffect, useState, type FormEvent } from 'react';
import { useChatChannel, type ChatMessage } from './mizan';
import { describe } from './describe';

/** One line of the room as this page shows it. */
interface Line extends ChatMessage {
  key: string;
}

/** Lines kept on screen: a long-running page must not grow without bound. */
const MAX_LINES = 100;

/**
 * A room of the `chat` channel (spec §2.15): messages arrive over the shared socket as they are
 * published, on this server process or any other sharing its Redis; after a lost connection the
 * hook resubscribes from the last message it saw and the server replays what was missed. When the
 * history no longer covers the gap, `onGap` says so and the page shows it.
 */
function ChatRoom({ room }: { room: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState('');
  const [missed, setMissed] = useState(false);
  const chat = useChatChannel(
    { room },
    {
      onMessage: (message, position) =>
        setLines((old) => [...old.slice(1 - MAX_LINES), { ...message, key: `${position.epoch}:${position.offset}` }]),
      onGap: () => setMissed(true),
    },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem('');
    chat.send({ text: draft }).then(
      () => setDraft(''),
      (error: unknown) => setProblem(describe(error)),
    );
  };
  return (
    <>
      <p data-testid="chat-status" data-room={room}>
        {chat.status === 'subscribed' ? 'connected' : chat.status}
        {chat.error ? ` (${describe(chat.error)})` : ''}
      </p>
      {missed && <p role="status">Some messages were missed while the connection was down.</p>}
      <ul data-testid="chat-log" aria-live="polite">
        {lines.map((line) => (
          <li key={line.key}>
            <b>{line.author}</b>: {line.text}
          </li>
        ))}
      </ul>
      <form onSubmit={submit}>
        <input aria-label="chat message" value={draft} maxLength={500} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={chat.status !== 'subscribed' || draft === ''}>
          Say
        </button>
      </form>
      {problem && <p role="alert">{problem}</p>}
    </>
  );
}

/** The chat: pick a room (lowercase letters, digits and dashes; `staff-…` rooms are for staff). */
export function ChatPanel() {
  const [typed, setTyped] = useState('lobby');
  const [room, setRoom] = useState('lobby');
  // A room is joined once typing pauses, not on every keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setRoom(typed), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  return (
    <section>
      <h2>Chat</h2>
      <label>
        Room <input aria-label="chat room" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      <ChatRoom key={room} room={room} />
    </section>
  );
}
