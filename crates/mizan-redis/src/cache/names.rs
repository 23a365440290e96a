//! Where the store keeps things in Redis, under its prefix `p`:
//!
//! - `p` `answer:<cache key>`: an answer (its key, ETag, tags and body, `codec`'s encoding), with
//!   the answer's time to live;
//! - `p` `tag:<tag>`: a set of the cache keys of the answers having the tag, living at least as
//!   long as its newest member;
//! - `p` `rev:<tag>`: the rev of the tag's last purge, kept for the tag rev retention;
//! - `p` `last-rev`: the last rev issued, kept forever (one number);
//! - `p` `lock:<cache key>`: a fill lock, holding its holder's random token, with its time to live;
//! - `p` `purge-log`: a stream of the purges of the tag rev retention, each entry's field `p`
//!   holding `<rev> <tail>`, the tail holding the purging store's id and the tags;
//! - `p` `purges`: the Pub/Sub channel each purge is published on as `<log entry id> <rev> <tail>`.
//!
//! The namespaces do not nest, so no cache key or tag can name another kind of key. The scripts
//! reach answer keys through their tags' sets, so the store needs one Redis (or a primary with
//! replicas), not a Cluster.

/// The names of one store's keys.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    prefix: String,
}

impl Names {
    pub(crate) fn new(prefix: String) -> Self {
        Self { prefix }
    }

    pub(crate) fn answer(&self, key: &str) -> String {
        format!("{}answer:{key}", self.prefix)
    }

    pub(crate) fn tag_set(&self, tag: &str) -> String {
        format!("{}tag:{tag}", self.prefix)
    }

    pub(crate) fn tag_rev(&self, tag: &str) -> String {
        format!("{}rev:{tag}", self.prefix)
    }

    pub(crate) fn last_rev(&self) -> String {
        format!("{}last-rev", self.prefix)
    }

    pub(crate) fn lock(&self, key: &str) -> String {
        format!("{}lock:{key}", self.prefix)
    }

    pub(crate) fn log(&self) -> String {
        format!("{}purge-log", self.prefix)
    }

    pub(crate) fn channel(&self) -> String {
        format!("{}purges", self.prefix)
    }
}
