//! The corpus model (cases, their steps and expectations) and its loading from the `*.json`
//! files, with `each` cases expanded into one case per element.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::case::build_case;
use crate::tokens::make_token;

pub(crate) struct Corpus {
    pub(crate) cases: Vec<Case>,
}

/// Context shared by every case: tokens, sessions and schema hashes, named in the corpus as
/// `{{token:NAME}}`, `{{session:USER}}` and `{{schema:FN}}`.
#[derive(Default)]
pub(crate) struct Names {
    pub(crate) tokens: BTreeMap<String, String>,
    pub(crate) sessions: BTreeMap<String, String>,
    pub(crate) schemas: BTreeMap<String, String>,
}

#[derive(Clone)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) surface: String,
    pub(crate) steps: Vec<Step>,
    /// Connections opened (and left unfinished) before the case's request, closed after it.
    pub(crate) holds: Vec<Vec<u8>>,
    /// How long to wait after opening the held connections.
    pub(crate) after: Duration,
    pub(crate) head_request: bool,
    pub(crate) alone: bool,
    pub(crate) expect: Expect,
}

#[derive(Clone)]
pub(crate) enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
    /// Closes the client's write half: the server reads the end of the stream.
    Shutdown,
}

#[derive(Clone)]
pub(crate) enum Expect {
    /// The connection is closed (or reset) without a byte of answer.
    Closed { within_ms: Option<(u64, u64)> },
    /// Answers, in order (more than one for pipelined requests), then the connection closes.
    Responses {
        responses: Vec<Value>,
        within_ms: Option<(u64, u64)>,
    },
}

#[derive(PartialEq, Eq)]
pub(crate) enum Phase {
    Concurrent,
    Alone,
    Slow,
}

impl Case {
    /// The bytes the case sends, on its connection and the ones it holds.
    pub(crate) fn bytes_sent(&self) -> usize {
        let steps: usize = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Send(bytes) => bytes.len(),
                Step::Sleep(_) | Step::Shutdown => 0,
            })
            .sum();
        steps + self.holds.iter().map(Vec::len).sum::<usize>()
    }

    pub(crate) fn phase(&self) -> Phase {
        let timed = match &self.expect {
            Expect::Closed { within_ms } | Expect::Responses { within_ms, .. } => {
                within_ms.is_some()
            }
        };
        if self.alone || !self.holds.is_empty() {
            Phase::Alone
        } else if timed || self.steps.iter().any(|s| matches!(s, Step::Sleep(_))) {
            Phase::Slow
        } else {
            Phase::Concurrent
        }
    }
}

impl Corpus {
    /// The corpus, with `sessions` (session cookie values by user id) for `{{session:USER}}`.
    pub(crate) fn load(sessions: &BTreeMap<String, String>) -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let documents: Vec<(String, Value)> = files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                (path.display().to_string(), value)
            })
            .collect();

        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut names = Names {
            sessions: sessions.clone(),
            ..Names::default()
        };
        for (file, document) in &documents {
            for (name, recipe) in document
                .get("tokens")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let token = make_token(recipe, now)
                    .unwrap_or_else(|e| panic!("{file}: token {name:?}: {e}"));
                assert!(
                    names.tokens.insert(name.clone(), token).is_none(),
                    "{file}: token {name:?} is defined twice"
                );
            }
        }
        // Schema hashes as the demo publishes them (the manifest is the registry's).
        let registry = mizan_demo::functions::registry().unwrap();
        for function in registry.manifest().functions {
            names
                .schemas
                .insert(function.name.clone(), function.schema_hash.clone());
        }

        // `MIZAN_HOSTILE_ONLY=<text>` runs only the cases whose name contains it (while working on
        // a surface); the whole corpus runs otherwise.
        let only = std::env::var("MIZAN_HOSTILE_ONLY").ok();
        let mut cases = Vec::new();
        let mut seen = HashSet::new();
        for (file, document) in &documents {
            let surface = document["surface"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no \"surface\""))
                .to_owned();
            for entry in document["cases"]
                .as_array()
                .unwrap_or_else(|| panic!("{file}: no \"cases\""))
            {
                for (name, case) in expand_each(entry) {
                    let built = build_case(&case, &surface, &names)
                        .unwrap_or_else(|e| panic!("{file}: case {name:?}: {e}"));
                    assert!(
                        seen.insert(built.name.clone()),
                        "{file}: two cases are named {:?}",
                        built.name
                    );
                    if only
                        .as_ref()
                        .is_none_or(|text| built.name.contains(text.as_str()))
                    {
                        cases.push(built);
                    }
                }
            }
        }
        Self { cases }
    }
}

/// A case with `each` stands for one case per element: its variables (`{{name}}`) are replaced
/// in every string of the case (a string that is exactly `{{name}}` takes the variable's value,
/// whatever its type).
fn expand_each(entry: &Value) -> Vec<(String, Value)> {
    let name = entry["name"].as_str().unwrap_or("<unnamed>").to_owned();
    let Some(each) = entry.get("each") else {
        return vec![(name, entry.clone())];
    };
    let mut template = entry.clone();
    template.as_object_mut().unwrap().remove("each");
    each.as_array()
        .unwrap_or_else(|| panic!("case {name:?}: \"each\" must be an array"))
        .iter()
        .enumerate()
        .map(|(i, vars)| {
            let vars = vars
                .as_object()
                .unwrap_or_else(|| panic!("case {name:?}: each element must be an object"));
            let mut case = substitute(&template, vars);
            let case_name = case["name"].as_str().unwrap_or("<unnamed>").to_owned();
            if case_name == name {
                case["name"] = Value::String(format!("{name} #{i}"));
            }
            (case["name"].as_str().unwrap().to_owned(), case)
        })
        .collect()
}

fn substitute(value: &Value, vars: &Map<String, Value>) -> Value {
    match value {
        Value::String(s) => {
            if let Some(var) = s
                .strip_prefix("{{")
                .and_then(|rest| rest.strip_suffix("}}"))
                .and_then(|name| vars.get(name))
            {
                return var.clone();
            }
            let mut out = s.clone();
            for (name, var) in vars {
                let text = match var {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("{{{{{name}}}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, vars)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}
