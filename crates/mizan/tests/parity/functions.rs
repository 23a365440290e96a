//! The functions of the parity corpus (`corpus.json`): one parameter or more of every constraint
//! kind the manifest can advertise. The server (`tests/parity.rs`) and the Zod schemas generated
//! from this registry (`client/`, checked by mizan-codegen's golden test, run by
//! `packages/mizan-react/test/parity.test.ts`) must accept and refuse the same inputs at the same
//! paths.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::too_many_arguments)]

use std::collections::BTreeSet;
use std::num::{NonZeroI32, NonZeroI64, NonZeroU64};

use mizan::{Registry, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 1 to 10 characters, counted in Unicode code points.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Title(#[schemars(length(min = 1, max = 10))] String);

/// A lower-case slug.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Slug(#[schemars(regex(pattern = r"^[a-z][a-z0-9\-]{1,15}$"))] String);

/// Both a length and a pattern.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Code(#[schemars(length(max = 6), regex(pattern = r"^[A-Z]+[0-9]*$"))] String);

/// Escapes, a non-capturing group, a negated class and a lazy counted repetition: the corners of
/// the portable regex subset.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Route(#[schemars(regex(pattern = r"^(?:\/[a-z\u00e9\x2D]+)+\.?[^\n\]]{0,2}?$"))] String);

#[mizan::client]
pub async fn strings(
    _req: &Request,
    title: Title,
    slug: Slug,
    code: Code,
    nickname: Option<Title>,
    note: Option<String>,
    route: Option<Route>,
) -> Result<bool> {
    let _ = (title, slug, code, nickname, note, route);
    Ok(true)
}

/// -5 to 5.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Offset(#[schemars(range(min = -5, max = 5))] i32);

/// 10 to 1000, a 64-bit integer.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Quota(#[schemars(range(min = 10, max = 1000))] u64);

#[mizan::client]
pub async fn numbers(
    _req: &Request,
    small: u8,
    offset: Offset,
    big: u64,
    signed: i64,
    positive: NonZeroU64,
    non_zero: NonZeroI64,
    non_zero_small: NonZeroI32,
    quota: Quota,
    maybe_big: Option<u64>,
) -> Result<bool> {
    let _ = (
        small,
        offset,
        big,
        signed,
        positive,
        non_zero,
        non_zero_small,
    );
    let _ = (quota, maybe_big);
    Ok(true)
}

#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
}

#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    Circle {
        #[schemars(range(min = 1, max = 100))]
        radius: u32,
    },
    Square {
        side: u8,
    },
}

/// Unknown members are refused here.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[schemars(length(min = 1, max = 40))]
    pub street: String,
    #[schemars(regex(pattern = r"^[0-9]{5}$"))]
    pub zip: String,
    pub unit: Option<String>,
    pub geo: Option<Geo>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Geo {
    #[schemars(range(min = -90, max = 90))]
    pub lat: i16,
    #[schemars(range(min = -180, max = 180))]
    pub lon: i16,
}

/// Unknown members are ignored here, as serde does by default.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Loose {
    pub name: String,
}

#[mizan::client]
pub async fn shapes(
    _req: &Request,
    priority: Priority,
    shape: Shape,
    address: Address,
    loose: Loose,
    maybe_priority: Option<Priority>,
) -> Result<bool> {
    let _ = (priority, shape, address, loose, maybe_priority);
    Ok(true)
}

/// 1 to 5 code points.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Tag(#[schemars(length(min = 1, max = 5))] String);

/// 1 to 3 tags.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Tags(#[schemars(length(min = 1, max = 3))] Vec<Tag>);

#[mizan::client]
pub async fn lists(
    _req: &Request,
    tags: Tags,
    labels: BTreeSet<String>,
    ids: Vec<u64>,
    grid: Vec<Vec<u8>>,
    stops: Option<Vec<Address>>,
) -> Result<bool> {
    let _ = (tags, labels, ids, grid, stops);
    Ok(true)
}

/// A marker with no fields, as a parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// No parameters but a field-less struct: every member sent is unknown.
#[mizan::client]
pub async fn nothing(_req: &Request, marker: Option<Empty>) -> Result<bool> {
    Ok(marker.is_some())
}

/// No parameters at all.
#[mizan::client]
pub async fn none(_req: &Request) -> Result<bool> {
    Ok(true)
}

pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(strings, "strings")
        .unwrap()
        .register(numbers, "numbers")
        .unwrap()
        .register(shapes, "shapes")
        .unwrap()
        .register(lists, "lists")
        .unwrap()
        .register(nothing, "nothing")
        .unwrap()
        .register(none, "none")
        .unwrap();
    registry
}
