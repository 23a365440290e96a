//! Forms over HTTP (`spec/PROTOCOL.md` §2.13): schema, validate and submit as JSON calls, the
//! multipart submit with files streamed and limited, and the post without JavaScript with its
//! CSRF rule, re-rendered page and redirect. The form is implemented by hand here, so that these
//! tests hold whatever the derive does.

mod auth;
mod common;
mod json;
mod multipart;
mod no_js;
mod rows;
