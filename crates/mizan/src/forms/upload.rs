//! Uploaded files: streamed to a temporary file while the body is read, deleted when dropped
//! unless the handler keeps them (`spec/PROTOCOL.md` §2.13.4).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use mizan_core::form::{FieldKind, FieldSpec};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use tempfile::TempPath;

use super::field::FormField;

/// A file a form received.
///
/// In `submit` it is on disk at [`path`](Self::path) and is deleted when the `Upload` is dropped:
/// [`persist`](Self::persist) keeps it. In `validate` (and in server rules run by `validate`) only
/// its description is known: `path` is `None`.
#[derive(Debug)]
pub struct Upload {
    file_name: String,
    content_type: String,
    size: u64,
    file: Option<TempPath>,
}

impl Upload {
    pub(crate) fn received(
        file_name: String,
        content_type: String,
        size: u64,
        file: TempPath,
    ) -> Self {
        Self {
            file_name,
            content_type,
            size,
            file: Some(file),
        }
    }

    /// The file name the browser sent (untrusted: never use it as a path).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The media type the browser declared, lowercased, without parameters.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// Its size in bytes, as received.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Where it is on disk, while this `Upload` lives; `None` when only described (`validate`).
    pub fn path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Moves the file to `to` and keeps it (on the same file system; copy first otherwise).
    pub fn persist(mut self, to: impl AsRef<Path>) -> std::io::Result<PathBuf> {
        let file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("this upload is only a description"))?;
        file.persist(to.as_ref()).map_err(|e| e.error)?;
        Ok(to.as_ref().to_owned())
    }

    /// Its bytes, read from disk.
    pub async fn bytes(&self) -> std::io::Result<Vec<u8>> {
        match self.path() {
            Some(path) => tokio::fs::read(path).await,
            None => Err(std::io::Error::other("this upload is only a description")),
        }
    }
}

impl FormField for Upload {
    fn field(name: &str) -> FieldSpec {
        let mut field = FieldSpec::new(name, FieldKind::File, FieldSpec::label_from_name(name));
        field.max_size = Some(DEFAULT_MAX_SIZE);
        field
    }
}

/// `max_size` of a file field that sets none: 10 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

/// The member that marks a received file in the values the form type is decoded from.
pub(crate) const MARKER: &str = "__mizan_upload";

thread_local! {
    /// The files of the submit being decoded: decoding is synchronous, so they are lent to the
    /// `Deserialize` of `Upload` on this thread for its duration.
    static RECEIVED: RefCell<Vec<Option<Upload>>> = const { RefCell::new(Vec::new()) };
}

/// Decodes `values` into `T`, lending `files` to the `Upload`s in it (marked `{MARKER: index}`);
/// the files no `Upload` took are dropped, which deletes them.
pub(crate) fn decode_with<T: serde::de::DeserializeOwned>(
    values: Value,
    files: Vec<Upload>,
) -> Result<T, serde_json::Error> {
    /// Gives back (deletes) the files no `Upload` took, even when a `Deserialize` panics.
    struct Lent;
    impl Drop for Lent {
        fn drop(&mut self) {
            RECEIVED.with(|cell| cell.borrow_mut().clear());
        }
    }
    RECEIVED.with(|cell| *cell.borrow_mut() = files.into_iter().map(Some).collect());
    let _lent = Lent;
    serde_json::from_value(values)
}

impl<'de> Deserialize<'de> for Upload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Received {
                #[serde(rename = "__mizan_upload")]
                index: usize,
            },
            Described {
                name: String,
                size: u64,
                #[serde(rename = "type")]
                media_type: String,
            },
        }
        match Wire::deserialize(deserializer)? {
            Wire::Received { index } => RECEIVED
                .with(|cell| cell.borrow_mut().get_mut(index).and_then(Option::take))
                .ok_or_else(|| serde::de::Error::custom("no such received file")),
            Wire::Described {
                name,
                size,
                media_type,
            } => Ok(Self {
                file_name: name,
                content_type: mizan_core::form::media_type_essence(&media_type),
                size,
                file: None,
            }),
        }
    }
}

impl schemars::JsonSchema for Upload {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Upload".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::try_from(description_schema()).unwrap_or_default()
    }
}

/// The JSON Schema of a file's description (§2.13.4): what a `file` field holds in JSON values.
pub(crate) fn description_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "a file: sent as a multipart/form-data part; described in validate (spec §2.13.4)",
        "properties": {
            "name": {"type": "string"},
            "size": {"type": "integer", "minimum": 0},
            "type": {"type": "string"}
        },
        "required": ["name", "size", "type"],
        "additionalProperties": false
    })
}
