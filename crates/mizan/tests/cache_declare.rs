//! Cache policies and invalidations at registration (`spec/PROTOCOL.md` §2.16.1–§2.16.2): what
//! the manifest publishes, and the mistakes registration and `Registry::check` refuse.

// Parameter types here exist for their schemas; their values are never read.
#![allow(dead_code, unused_variables)]

use mizan::__private::{CacheOptions, CacheScope, FunctionOptions, ServerFunction};
use mizan::{Mizan, Registry, RegistryError, Request, Result};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

#[mizan::client(context = "local", cache(scope = "public", max_age = 60, tags = ["posts", "post:{id}"]))]
fn post(_req: &Request, id: u64) -> Result<String> {
    Ok(id.to_string())
}

#[mizan::client(context = "global", cache(max_age = 5, swr = 0, tags = ["site"]))]
fn site(_req: &Request) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(context = "global")]
fn uncached(_req: &Request) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(invalidates(tags = ["posts", "post:{id}"], contexts = ["site"]))]
fn edit(_req: &Request, id: u64, text: String) -> Result<()> {
    Ok(())
}

#[mizan::client(invalidates(contexts = ["uncached"]))]
fn touch_uncached(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client]
fn noop(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client(invalidates(contexts = ["noop"]))]
fn touch_call(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client(invalidates(contexts = ["nowhere"]))]
fn touch_nowhere(_req: &Request) -> Result<()> {
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
enum Color {
    Red,
    Blue,
}

#[derive(Deserialize, JsonSchema)]
struct Point {
    x: i32,
}

#[mizan::client(context = "local", cache(max_age = 60, tags = ["c:{color}", "f:{flag}", "n:{n}"]))]
fn by_color(_req: &Request, color: Color, flag: bool, n: i32) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(context = "local", cache(max_age = 60, tags = ["p:{page}"]))]
fn optional_slot(_req: &Request, page: Option<u32>) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(context = "local", cache(max_age = 60, tags = ["p:{point}"]))]
fn struct_slot(_req: &Request, point: Point) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(invalidates = ["l:{items}"])]
fn list_slot(_req: &Request, items: Vec<String>) -> Result<()> {
    Ok(())
}

#[test]
fn the_manifest_publishes_policies_and_invalidations() {
    let mut registry = Registry::new();
    registry
        .register(post, "post")
        .and_then(|r| r.register(site, "site"))
        .and_then(|r| r.register(edit, "edit"))
        .and_then(|r| r.register(uncached, "uncached"))
        .unwrap();
    let manifest = serde_json::to_value(registry.manifest()).unwrap();
    let entry = |name: &str| {
        manifest["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        entry("post")["cache"],
        json!({"scope": "public", "max_age": 60, "swr": 300, "tags": ["posts", "post:{id}"]})
    );
    assert_eq!(
        entry("site")["cache"],
        json!({"scope": "permission", "max_age": 5, "swr": 0, "tags": ["site"]})
    );
    assert_eq!(
        entry("edit")["invalidates"],
        json!(["posts", "post:{id}", "mizan:fn:site"])
    );
    for (name, absent) in [
        ("post", "invalidates"),
        ("edit", "cache"),
        ("uncached", "cache"),
        ("uncached", "invalidates"),
    ] {
        assert!(entry(name).get(absent).is_none(), "{name} has {absent}");
    }
    registry.check().unwrap();
    // The typed manifest reads back what it published.
    let typed = registry.manifest();
    assert_eq!(
        typed
            .function("post")
            .unwrap()
            .cache
            .as_ref()
            .unwrap()
            .max_age,
        60
    );
}

#[test]
fn slots_accept_required_strings_integers_booleans_and_wide_integers() {
    let mut registry = Registry::new();
    // `id: u64` travels as a string (§2.9) and counts as an integer; `Color` is a string enum
    // behind a `$ref`.
    registry.register(post, "post").unwrap();
    registry.register(by_color, "by_color").unwrap();
    registry.register(edit, "edit").unwrap();
}

fn cache_error(err: RegistryError) -> (String, String, String) {
    match err {
        RegistryError::InvalidCacheDeclaration {
            name,
            template,
            reason,
        } => (name, template, reason),
        other => panic!("not a cache declaration error: {other}"),
    }
}

#[test]
fn slots_naming_optional_or_compound_params_are_refused() {
    for (err, template, says) in [
        (
            Registry::new().register(optional_slot, "opt").err(),
            "p:{page}",
            "optional parameter",
        ),
        (
            Registry::new().register(struct_slot, "st").err(),
            "p:{point}",
            "not a string, an integer or a boolean",
        ),
        (
            Registry::new().register(list_slot, "ls").err(),
            "l:{items}",
            "not a string, an integer or a boolean",
        ),
    ] {
        let err = err.expect("refused");
        let message = err.to_string();
        let (_, got_template, reason) = cache_error(err);
        assert_eq!(got_template, template);
        assert!(reason.contains(says), "{reason}");
        assert!(message.contains(template), "{message}");
    }
}

/// `post` with options written by hand, as `#[mizan::client]` would never write them.
struct Hand(FunctionOptions);

impl ServerFunction for Hand {
    fn options(&self) -> FunctionOptions {
        self.0
    }
    fn input_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        post.input_schema(generator)
    }
    fn output_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        post.output_schema(generator)
    }
    fn call<'a>(
        &'a self,
        request: &'a Request,
        params: mizan::__private::Params,
        encoding: mizan::__private::Encoding,
    ) -> mizan::__private::BoxFuture<'a, Result<Vec<u8>>> {
        post.call(request, params, encoding)
    }
}

fn hand(change: impl FnOnce(&mut FunctionOptions)) -> RegistryError {
    let mut options = post.options();
    change(&mut options);
    Registry::new()
        .register(Hand(options), "hand")
        .map(|_| ())
        .expect_err("refused")
}

fn policy(max_age: u32, swr: u32, tags: &'static [&'static str]) -> Option<CacheOptions> {
    Some(CacheOptions {
        scope: CacheScope::Public,
        max_age,
        swr,
        tags,
    })
}

#[test]
fn hand_written_options_are_checked_as_the_macro_checks_them() {
    use mizan::manifest::FunctionKind;
    let cases: Vec<(RegistryError, &str, &str)> = vec![
        (
            hand(|o| o.kind = FunctionKind::Call),
            "",
            "a call cannot have a cache policy",
        ),
        (
            hand(|o| o.invalidates = &["posts"]),
            "posts",
            "a context cannot invalidate",
        ),
        (hand(|o| o.cache = policy(0, 0, &[])), "", "max_age is 0"),
        (
            hand(|o| o.cache = policy(31_536_001, 0, &[])),
            "",
            "max_age is 31536001",
        ),
        (
            hand(|o| o.cache = policy(1, 31_536_001, &[])),
            "",
            "swr is 31536001",
        ),
        (
            hand(|o| o.cache = policy(1, 0, &["post:{id"])),
            "post:{id",
            "never closed",
        ),
        (
            hand(|o| o.cache = policy(1, 0, &["a", "a"])),
            "a",
            "given twice",
        ),
        (
            hand(|o| o.cache = policy(1, 0, &["mizan:fn:x"])),
            "mizan:fn:x",
            "`mizan:`",
        ),
        (
            hand(|o| o.cache = policy(1, 0, &["u:{user}"])),
            "u:{user}",
            "names no parameter",
        ),
        (
            hand(|o| {
                o.kind = FunctionKind::GLOBAL_CONTEXT;
                o.cache = policy(1, 0, &["p:{id}"]);
            }),
            "p:{id}",
            "a global context has no parameters",
        ),
        (
            hand(|o| {
                o.kind = FunctionKind::Call;
                o.cache = None;
                o.invalidates = &["mizan:fn:"];
            }),
            "mizan:fn:",
            "function name",
        ),
    ];
    for (err, template, says) in cases {
        let message = err.to_string();
        let (name, got_template, reason) = cache_error(err);
        assert_eq!(name, "hand");
        assert_eq!(got_template, template, "{message}");
        assert!(reason.contains(says), "{reason}");
        assert!(message.contains("\"hand\""), "{message}");
    }
}

#[test]
fn invalidated_contexts_are_checked_once_everything_is_registered() {
    // The call comes first; the context it names is registered after it.
    let mut registry = Registry::new();
    registry.register(edit, "edit").unwrap();
    let err = registry.check().unwrap_err();
    assert_eq!(
        err,
        RegistryError::InvalidatedContext {
            name: "edit".into(),
            context: "site".into(),
            reason: "it is not a registered function".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "function \"edit\" invalidates the context \"site\", but \"site\" is not a registered function"
    );
    registry.register(site, "site").unwrap();
    registry.check().unwrap();

    for (call, name, reason) in [
        (
            Registry::new()
                .register(touch_uncached, "t")
                .and_then(|r| r.register(uncached, "uncached"))
                .map(|r| r.check()),
            "uncached",
            "it has no cache policy, so nothing of it is kept to purge",
        ),
        (
            Registry::new()
                .register(touch_call, "t")
                .and_then(|r| r.register(noop, "noop"))
                .map(|r| r.check()),
            "noop",
            "it is a call, not a context",
        ),
        (
            Registry::new()
                .register(touch_nowhere, "t")
                .map(|r| r.check()),
            "nowhere",
            "it is not a registered function",
        ),
    ] {
        assert_eq!(
            call.unwrap().unwrap_err(),
            RegistryError::InvalidatedContext {
                name: "t".into(),
                context: name.into(),
                reason: reason.into(),
            }
        );
    }
}

#[test]
fn a_router_is_not_built_over_a_registry_that_fails_its_check() {
    let mut registry = Registry::new();
    registry.register(touch_nowhere, "t").unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = Mizan::new(registry).router::<()>("/api/mizan");
    }))
    .unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("\"nowhere\" is not a registered function"),
        "{message}"
    );
}
