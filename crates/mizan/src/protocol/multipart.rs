//! Reading a form's `multipart/form-data` body as a stream: files go to disk part by part, and
//! every limit applies while reading (`spec/PROTOCOL.md` §2.13.4).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use futures_util::StreamExt;
use mizan_core::canonical::{self, ParseOptions};
use mizan_core::form::{FieldIssue, FieldKind, FormSpec, PathStep, messages};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::body::{ReadDeadline, too_large, too_slow};
use super::form_body::Posted;
use crate::engine::Shared;
use crate::forms::CSRF_FIELD;
use crate::forms::{Received, Upload};
use crate::{Error, ErrorCode, Result};

/// The multipart part that carries the values as JSON.
const VALUES_PART: &str = "__values";
/// Placeholder of a received file in flat values.
const FILE_MARKER: &str = "__mizan_file";
/// The most parts a multipart body may have.
pub(super) const MAX_PARTS: usize = 1000;
/// The largest non-file part.
const MAX_TEXT_PART: usize = 64 * 1024;

fn malformed(reason: &'static str, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::MalformedMultipart, message.into())
        .with_details(json!({ "reason": reason }))
}

/// The most bytes a multipart body of `spec` may have: every file at its `max_size`, plus the
/// body limit for the rest.
fn multipart_limit(spec: &FormSpec, body_bytes: usize) -> u64 {
    fn files(fields: &[mizan_core::form::FieldSpec]) -> u64 {
        fields
            .iter()
            .map(|f| match f.kind {
                FieldKind::File => f.max_size.unwrap_or(0),
                _ => f.fields.as_deref().map_or(0, files),
            })
            .fold(0u64, u64::saturating_add)
    }
    files(&spec.fields).saturating_add(body_bytes as u64)
}

/// `413 payload_too_large` for a multipart body over `limit`.
fn multipart_too_large(limit: u64) -> Error {
    Error::new(
        ErrorCode::PayloadTooLarge,
        format!("the body is over this form's limit of {limit} bytes"),
    )
}

fn multer_error(error: multer::Error) -> Error {
    match error {
        multer::Error::StreamSizeExceeded { limit } => multipart_too_large(limit),
        multer::Error::IncompleteStream
        | multer::Error::IncompleteFieldData { .. }
        | multer::Error::IncompleteHeaders => {
            malformed("incomplete", "the multipart body ends early")
        }
        multer::Error::StreamReadFailed(_) => {
            Error::bad_request("the request body could not be read")
        }
        other => malformed(
            "syntax",
            format!("the multipart body is not valid: {other}"),
        ),
    }
}

/// Reads a multipart body of `spec` with `boundary`.
pub(super) async fn read(
    spec: &FormSpec,
    boundary: &str,
    body: Body,
    shared: &Shared,
    upload_dir: &Path,
) -> Result<Posted> {
    let limits = &shared.limits;
    let limit = multipart_limit(spec, limits.body_bytes);
    if http_body::Body::size_hint(&body)
        .exact()
        .is_some_and(|declared| declared > limit)
    {
        return Err(multipart_too_large(limit));
    }
    let received = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&received);
    let stream = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            counter.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        chunk
    });
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let deadline = ReadDeadline::new(limits);
    let at = |received: &AtomicUsize| deadline.at(received.load(Ordering::Relaxed));
    let mut reservation = shared.body_budget.reserve();
    let mut text_bytes = 0usize;

    let mut flat = crate::forms::FlatValues::default();
    let mut json_values: Option<Value> = None;
    let mut files: Vec<Received> = Vec::new();
    let mut issues = Vec::new();
    let mut csrf = None;
    let mut parts = 0usize;

    loop {
        let next = tokio::time::timeout_at(at(&received), multipart.next_field())
            .await
            .map_err(|_| too_slow(limits))?;
        let Some(mut part) = next.map_err(multer_error)? else {
            break;
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(malformed(
                "too_many_parts",
                format!("more than {MAX_PARTS} parts"),
            ));
        }
        let Some(name) = part.name().filter(|n| !n.is_empty()).map(str::to_owned) else {
            return Err(malformed("syntax", "a part has no name"));
        };
        if let Some(file_name) = part.file_name().map(str::to_owned) {
            let path = crate::forms::dotted_path(&name);
            let Some(field) = spec.field_at(&name).filter(|f| f.kind == FieldKind::File) else {
                push_once(&mut issues, FieldIssue::new(path, messages::UNKNOWN_FIELD));
                continue;
            };
            let upload = match receive_file(
                &mut part, field, file_name, upload_dir, &at, &received, limits,
            )
            .await?
            {
                FileOutcome::Missing => continue,
                FileOutcome::Refused(message) => {
                    push_once(&mut issues, FieldIssue::new(path, message));
                    continue;
                }
                FileOutcome::Received(upload) => upload,
            };
            let index = files.len();
            files.push(Received { path, upload });
            if json_values.is_none() {
                flat.add(&spec.fields, &name, json!({ FILE_MARKER: index }));
            }
            continue;
        }
        let text = read_text(&mut part, &received, &at, shared).await?;
        text_bytes += text.len();
        if text_bytes > limits.body_bytes {
            return Err(too_large(limits));
        }
        reservation.grow(text_bytes)?;
        if name == VALUES_PART {
            if parts != 1 {
                return Err(malformed("values", "the __values part must come first"));
            }
            let options = ParseOptions {
                max_depth: limits.json_depth,
                allow_floats: true,
            };
            match canonical::parse_with(text.as_bytes(), options) {
                Ok(value @ Value::Object(_)) => json_values = Some(value),
                _ => {
                    return Err(malformed(
                        "values",
                        "the __values part is not a JSON object",
                    ));
                }
            }
        } else if name == CSRF_FIELD {
            csrf = Some(text);
        } else if json_values.is_some() {
            return Err(malformed(
                "values",
                "after a __values part, only files and the CSRF field may follow",
            ));
        } else {
            flat.add(&spec.fields, &name, Value::String(text));
        }
    }

    let (values, files) = match json_values {
        Some(mut values) => {
            // A file value in the JSON is only ever what the server received: whatever the
            // client wrote at a file's path is dropped first.
            crate::forms::clear_files(&spec.fields, &mut values);
            // The last file of a path counts (§2.13.4); the earlier ones are dropped, which
            // deletes them, so that no file is handed over for a path it does not describe.
            let mut kept: Vec<Received> = Vec::with_capacity(files.len());
            for received in files {
                kept.retain(|k| k.path != received.path);
                kept.push(received);
            }
            for received in &kept {
                if !place(&mut values, &received.path, describe(&received.upload)) {
                    push_once(
                        &mut issues,
                        FieldIssue::new(received.path.clone(), messages::UNKNOWN_FIELD),
                    );
                }
            }
            (values, kept)
        }
        None => {
            let (mut values, unknown) = flat.finish();
            issues.extend(unknown);
            // Only in flat values: there the markers are the server's own, while `__values` is
            // the client's JSON, where a marker would move a received file to another path.
            let files = flat_markers(&mut values, files);
            (values, files)
        }
    };
    drop(reservation);
    Ok(Posted {
        values,
        files,
        issues,
        csrf,
    })
}

/// What became of a file part.
enum FileOutcome {
    /// An empty file input: no file.
    Missing,
    /// Refused while reading, with the message for its field.
    Refused(String),
    /// On disk.
    Received(Upload),
}

/// Streams a file part to a temporary file in `upload_dir`, refusing a type outside `accept`
/// before its bytes are read and a size over `max_size` as soon as it passes it; a refused or
/// missing file leaves nothing on disk.
async fn receive_file(
    part: &mut multer::Field<'_>,
    field: &mizan_core::form::FieldSpec,
    file_name: String,
    upload_dir: &Path,
    at: &impl Fn(&AtomicUsize) -> tokio::time::Instant,
    received: &AtomicUsize,
    limits: &crate::Limits,
) -> Result<FileOutcome> {
    // The header as sent (a part without one has the type ""), not multer's parse of it, which
    // gives up on forms such as `Image/PNG ; q=1` that §2.13.4 reads.
    let media_type = mizan_core::form::media_type_essence(
        part.headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    );
    let type_refused = field
        .accept
        .as_ref()
        .is_some_and(|accept| !mizan_core::form::accepts(accept, &media_type));
    // A browser sends an empty file input as a part with an empty name and no bytes, typed
    // `application/octet-stream`: that is no file, whatever `accept` says, so such a part is
    // judged once its bytes (none) are read.
    if type_refused && !file_name.is_empty() {
        return Ok(FileOutcome::Refused(messages::FILE_TYPE.to_owned()));
    }
    let max = field.max_size.unwrap_or(crate::forms::DEFAULT_MAX_SIZE);
    let write_failed = |e: std::io::Error| Error::internal(format!("cannot write an upload: {e}"));
    let temp = tempfile::Builder::new()
        .prefix("mizan-upload-")
        .tempfile_in(upload_dir)
        .map_err(write_failed)?;
    // Dropping `temp_path` deletes the file, on every early return below.
    let (std_file, temp_path) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(std_file);
    let mut size = 0u64;
    loop {
        let chunk = tokio::time::timeout_at(at(received), part.chunk())
            .await
            .map_err(|_| too_slow(limits))?
            .map_err(multer_error)?;
        let Some(chunk) = chunk else { break };
        size += chunk.len() as u64;
        if size > max {
            return Ok(FileOutcome::Refused(messages::max_size(max)));
        }
        file.write_all(&chunk).await.map_err(write_failed)?;
    }
    file.flush().await.map_err(write_failed)?;
    if file_name.is_empty() && size == 0 {
        return Ok(FileOutcome::Missing);
    }
    if type_refused {
        return Ok(FileOutcome::Refused(messages::FILE_TYPE.to_owned()));
    }
    Ok(FileOutcome::Received(Upload::received(
        file_name, media_type, size, temp_path,
    )))
}

/// Replaces the file markers of flat values with the files' descriptions, and gives each file
/// its final path (rows are renumbered without gaps). A file whose marker is gone (another part
/// of its name came after it) is dropped, which deletes it: its path, from before the rows were
/// renumbered, could name another row.
fn flat_markers(values: &mut Value, files: Vec<Received>) -> Vec<Received> {
    let mut found = Vec::new();
    crate::forms::find_markers(values, FILE_MARKER, &mut Vec::new(), &mut found);
    let mut files: Vec<Option<Received>> = files.into_iter().map(Some).collect();
    let mut kept = Vec::with_capacity(found.len());
    for (path, index) in found {
        if let Some(mut received) = files.get_mut(index).and_then(Option::take) {
            place(values, &path, describe(&received.upload));
            received.path = path;
            kept.push(received);
        }
    }
    kept
}

fn describe(upload: &Upload) -> Value {
    json!({"name": upload.file_name(), "size": upload.size(), "type": upload.content_type()})
}

/// Sets the value at `path`, creating objects on the way; an index must exist.
fn place(values: &mut Value, path: &[PathStep], new: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut at = values;
    for step in parents {
        at = match step {
            PathStep::Key(key) => match at {
                Value::Object(map) => map.entry(key.clone()).or_insert_with(|| json!({})),
                _ => return false,
            },
            PathStep::Index(i) => match at.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
        };
    }
    match (at, last) {
        (Value::Object(map), PathStep::Key(key)) => {
            map.insert(key.clone(), new);
            true
        }
        _ => false,
    }
}

fn push_once(issues: &mut Vec<FieldIssue>, issue: FieldIssue) {
    if !issues.iter().any(|i| i.path == issue.path) {
        issues.push(issue);
    }
}

async fn read_text(
    part: &mut multer::Field<'_>,
    received: &AtomicUsize,
    at: &impl Fn(&AtomicUsize) -> tokio::time::Instant,
    shared: &Shared,
) -> Result<String> {
    let mut bytes = Vec::new();
    loop {
        let chunk = tokio::time::timeout_at(at(received), part.chunk())
            .await
            .map_err(|_| too_slow(&shared.limits))?
            .map_err(multer_error)?;
        let Some(chunk) = chunk else { break };
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            return Err(malformed(
                "part_too_large",
                format!("a part that is not a file is over {MAX_TEXT_PART} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes)
        .map_err(|_| malformed("syntax", "a part that is not a file is not UTF-8"))
}
