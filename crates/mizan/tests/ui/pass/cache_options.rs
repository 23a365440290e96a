use mizan::__private::{CacheOptions, CacheScope, ServerFunction};
use mizan::{Request, Result};

#[mizan::client(context = "local", cache(scope = "public", max_age = 60, swr = 30, tags = ["posts", "post:{id}"]))]
fn post(_req: &Request, id: u32) -> Result<String> {
    Ok(id.to_string())
}

#[mizan::client(context = "global", cache(max_age = 1))]
fn site(_req: &Request) -> Result<String> {
    Ok(String::new())
}

#[mizan::client(context = "local", cache(max_age = 31536000, swr = 0, scope = "user"))]
fn mine(_req: &Request, page: u32) -> Result<u32> {
    Ok(page)
}

#[mizan::client(invalidates = ["posts", "post:{id}", "mizan:fn:site"])]
fn edit(_req: &Request, id: u32, text: String) -> Result<()> {
    let _ = (id, text);
    Ok(())
}

#[mizan::client(invalidates(tags = ["posts"], contexts = ["post", "blog.list"]))]
fn publish(_req: &Request) -> Result<()> {
    Ok(())
}

#[mizan::client(invalidates(contexts = ["site"]))]
fn touch(_req: &Request) -> Result<()> {
    Ok(())
}

fn main() {
    assert_eq!(
        post.options().cache,
        Some(CacheOptions {
            scope: CacheScope::Public,
            max_age: 60,
            swr: 30,
            tags: &["posts", "post:{id}"],
        })
    );
    assert_eq!(
        site.options().cache,
        Some(CacheOptions {
            scope: CacheScope::Permission,
            max_age: 1,
            swr: 300,
            tags: &[],
        })
    );
    let mine_cache = mine.options().cache.unwrap();
    assert_eq!((mine_cache.scope, mine_cache.max_age, mine_cache.swr), (CacheScope::User, 31536000, 0));
    assert!(post.options().invalidates.is_empty());
    assert_eq!(edit.options().invalidates, ["posts", "post:{id}", "mizan:fn:site"]);
    assert_eq!(edit.options().cache, None);
    assert_eq!(
        publish.options().invalidates,
        ["posts", "mizan:fn:post", "mizan:fn:blog.list"]
    );
    assert_eq!(touch.options().invalidates, ["mizan:fn:site"]);
}
