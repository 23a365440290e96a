//! Reading a form's `application/x-www-form-urlencoded` or `multipart/form-data` body within its
//! limits (`spec/PROTOCOL.md` §2.13.4); multipart bodies in [`super::multipart`].

use std::path::Path;

use axum::body::Body;
use http::header;
use http::request::Parts;
use mizan_core::form::{FieldIssue, FormSpec};
use serde_json::Value;

use super::body::read_bytes;
use crate::engine::Shared;
use crate::forms::Received;
use crate::{Error, ErrorCode, Result};

use crate::forms::CSRF_FIELD;

/// A form body, read.
pub(crate) struct Posted {
    /// The values, files described in them.
    pub(crate) values: Value,
    /// The files received, each at its path in `values`.
    pub(crate) files: Vec<Received>,
    /// Names that named no field, and files refused while reading.
    pub(crate) issues: Vec<FieldIssue>,
    /// The CSRF field, if posted.
    pub(crate) csrf: Option<String>,
}

/// What kind of form body a request declares.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormBody {
    UrlEncoded,
    Multipart(String),
}

/// The form body a request's `Content-Type` declares, if it declares one.
pub(crate) fn declared(parts: &Parts) -> Option<FormBody> {
    let mut values = parts.headers.get_all(header::CONTENT_TYPE).iter();
    let value = values.next()?.to_str().ok()?;
    if values.next().is_some() {
        return None;
    }
    let essence = mizan_core::form::media_type_essence(value);
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Some(FormBody::UrlEncoded),
        "multipart/form-data" => multer::parse_boundary(value)
            .ok()
            .filter(|boundary| !boundary.is_empty())
            .map(FormBody::Multipart),
        _ => None,
    }
}

/// Reads a form body of `spec`.
pub(crate) async fn read(
    spec: &FormSpec,
    kind: FormBody,
    body: Body,
    shared: &Shared,
    upload_dir: &Path,
) -> Result<Posted> {
    match kind {
        FormBody::UrlEncoded => {
            let bytes = read_bytes(body, shared).await?;
            let mut flat = crate::forms::FlatValues::default();
            let mut csrf = None;
            // As many fields as a multipart body may have parts: the page that answers a post
            // renders every row posted, so a body of tiny fields must not become a huge page.
            if form_urlencoded::parse(&bytes).count() > super::multipart::MAX_PARTS {
                return Err(Error::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "more than {} fields in the form body",
                        super::multipart::MAX_PARTS
                    ),
                ));
            }
            for (name, value) in form_urlencoded::parse(&bytes) {
                if name == CSRF_FIELD {
                    csrf = Some(value.into_owned());
                } else {
                    flat.add(&spec.fields, &name, Value::String(value.into_owned()));
                }
            }
            let (values, issues) = flat.finish();
            Ok(Posted {
                values,
                files: Vec::new(),
                issues,
                csrf,
            })
        }
        FormBody::Multipart(boundary) => {
            super::multipart::read(spec, &boundary, body, shared, upload_dir).await
        }
    }
}
