//! No cached answer ever crosses a permission key (spec §2.16.3): random callers, with random
//! roles, read contexts of every scope in random order, among purges; each must get exactly what
//! the function gives that caller.

mod cache_support;
mod common;

use cache_support::*;
use proptest::prelude::*;
use serde_json::json;

#[derive(Debug, Clone)]
enum Step {
    Read { caller: Caller, context: u8 },
    Purge(u8),
}

fn caller() -> impl Strategy<Value = Caller> {
    (
        prop::option::of(prop::sample::select(vec![
            "ada", "linus", "grace", "7", "a b",
        ])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(id, staff, superuser)| match id {
            Some(id) => Caller {
                id: Some(id.to_owned()),
                staff,
                superuser,
            },
            None => Caller::anonymous(),
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (caller(), 0u8..3).prop_map(|(caller, context)| Step::Read { caller, context }),
        1 => (0u8..3).prop_map(Step::Purge),
    ]
}

/// What `board`, `inbox` and `post` give `caller`, computed without the server.
fn expected(caller: &Caller, context: u8) -> serde_json::Value {
    match context {
        0 => json!(match (&caller.id, caller.staff, caller.superuser) {
            (None, ..) => "board for everyone",
            (Some(_), _, true) => "board for superusers",
            (Some(_), true, false) => "board for staff",
            (Some(_), false, false) => "board for users",
        }),
        1 => json!(format!(
            "inbox of {}",
            caller.id.as_deref().unwrap_or("nobody")
        )),
        _ => json!("post 1 v0"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_answer_crosses_a_permission_key(steps in prop::collection::vec(step(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = server();
            let urls = [
                url("board", json!({}), 0),
                url("inbox", json!({}), 0),
                url("post", json!({"id": 1}), 0),
            ];
            let tags = ["board", "inbox", "posts"];
            let mut hits = 0;
            for step in &steps {
                match step {
                    Step::Read { caller, context } => {
                        let reply = read(&server.app, caller, &urls[usize::from(*context)]).await;
                        prop_assert_eq!(reply.status, 200);
                        prop_assert_eq!(body(&reply), expected(caller, *context), "{:?}", caller);
                        if status(&reply) == "hit" {
                            hits += 1;
                        }
                    }
                    Step::Purge(which) => {
                        server.cache.purge_tags([tags[usize::from(*which)]]).await.unwrap();
                    }
                }
            }
            // Reads repeat keys often enough that hits happen: the property is not vacuous.
            let reads = steps.iter().filter(|s| matches!(s, Step::Read { .. })).count();
            let runs: u64 = ["board", "inbox", "post"].iter().map(|n| server.runs.count(n)).sum();
            prop_assert_eq!(u64::try_from(reads).unwrap(), runs + hits);
            Ok(())
        })?;
    }
}
