//! The notes board: short notes pinned to named boards, kept in memory. Reading a board is a
//! cached context (`spec/PROTOCOL.md` §2.16); adding a note purges that board's answers, so every
//! reader sees it on their next read.

use std::collections::HashMap;
use std::sync::Mutex;

use mizan::{Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most notes a board keeps, and answers with; older ones are dropped.
pub const MAX_NOTES: usize = 50;

/// The most boards the demo keeps, so that a stream of new board names cannot fill the memory.
pub const MAX_BOARDS: usize = 1000;

/// A board's name: 1 to 40 of `a-z`, `0-9` and `-`. The input schema states it, so the server
/// refuses any other name before the function runs (`422 validation_failed`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
pub struct Board(
    #[schemars(length(min = 1, max = 40), regex(pattern = r"^[a-z0-9-]+$"))] pub String,
);

/// A note's text: 1 to 280 characters, checked by the input schema like [`Board`].
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct NoteText(#[schemars(length(min = 1, max = 280))] pub String);

/// One note of a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Note {
    /// Its number on its board, from 1, in the order notes were added.
    pub id: u32,
    /// What it says.
    pub text: String,
}

/// Every board's notes, oldest first: the application state the functions share.
#[derive(Debug, Default)]
pub struct Notes {
    boards: Mutex<HashMap<String, BoardNotes>>,
}

#[derive(Debug, Default)]
struct BoardNotes {
    /// The last [`MAX_NOTES`], oldest first.
    notes: Vec<Note>,
    /// How many were ever added, for the next id.
    added: u32,
}

impl Notes {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, BoardNotes>>> {
        self.boards
            .lock()
            .map_err(|_| mizan::Error::internal("the notes lock is poisoned"))
    }
}

/// The notes of `board`, newest first, at most [`MAX_NOTES`]; an empty list for a board with none.
#[mizan::client(context = "local", cache(scope = "public", max_age = 300, tags = ["notes:{board}"]))]
pub fn notes(req: &Request, board: Board) -> Result<Vec<Note>> {
    let boards = req.state::<Notes>()?.lock()?;
    Ok(boards
        .get(&board.0)
        .map(|b| b.notes.iter().rev().cloned().collect())
        .unwrap_or_default())
}

/// Pins `text` to `board` and answers with the new note. Purges the board's answers
/// (`notes:{board}`), so its readers refetch.
#[mizan::client(invalidates = ["notes:{board}"])]
pub fn add_note(req: &Request, board: Board, text: NoteText) -> Result<Note> {
    let mut boards = req.state::<Notes>()?.lock()?;
    if !boards.contains_key(&board.0) && boards.len() >= MAX_BOARDS {
        return Err(mizan::Error::bad_request(format!(
            "the demo keeps at most {MAX_BOARDS} boards; add to an existing one"
        )));
    }
    let entry = boards.entry(board.0).or_default();
    entry.added = entry.added.saturating_add(1);
    let note = Note {
        id: entry.added,
        text: text.0,
    };
    entry.notes.push(note.clone());
    if entry.notes.len() > MAX_NOTES {
        let excess = entry.notes.len() - MAX_NOTES;
        entry.notes.drain(..excess);
    }
    Ok(note)
}
