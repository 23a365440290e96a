import { useEffect, useState, type FormEvent } from 'react';
import { useChatChannel, type ChatMessage } from './mizan';
import { describe } from './describe';
import { Explain } from './Explain';
import { useRequestLog } from './log/useRequestLog';

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
      <p data-testid="chat-status" data-room={room} className="chat-status">
        {chat.status === 'subscribed' ? 'connected' : chat.status}
        {chat.error ? ` (${describe(chat.error)})` : ''}
      </p>
      {missed && <p role="status">Some messages were missed while the connection was down.</p>}
      <ul data-testid="chat-log" className="chat-log" aria-live="polite">
        {lines.length === 0 ? <li className="empty">No messages since you joined.</li> : null}
        {lines.map((line) => (
          <li key={line.key}>
            <b>{line.author}</b>: {line.text}
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="inline-form">
        <input aria-label="chat message" placeholder={`Say something in ${room}`} value={draft} maxLength={500} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={chat.status !== 'subscribed' || draft === ''}>
          Say
        </button>
      </form>
      {problem && <p role="alert">{problem}</p>}
    </>
  );
}

/** The socket the chat uses, from the log: one connection, frames rather than requests. */
function ChatFacts() {
  const socket = useRequestLog().entries.find((entry) => entry.method === 'WS');
  return (
    <Explain testId="chat-facts">
      <li>
        Messages travel over the client's one WebSocket, shared by every channel and by live
        invalidation: no request per message. After a lost connection it subscribes again from the
        last message it saw, and the server replays what was missed.
        {socket ? (
          <>
            {' '}
            This page's socket: <strong>{socket.status === 101 && socket.error === undefined ? 'open' : (socket.error ?? 'connecting')}</strong>,{' '}
            {socket.framesOut} frames sent, {socket.framesIn} received.
          </>
        ) : null}
      </li>
    </Explain>
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
    <section className="card" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat: channels</h2>
      <label className="field">
        <span>Room</span>
        <input aria-label="chat room" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      <ChatRoom key={room} room={room} />
      <ChatFacts />
    </section>
  );
}
