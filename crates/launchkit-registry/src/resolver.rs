//! A name resolver that looks each host up once per process.
//!
//! A check asks one host for a hundred files over a handful of connections, and servers
//! close idle connections now and then, so the default resolver would look the same name
//! up again and again; one lost DNS answer then stalls a request for the resolver's whole
//! timeout. cargo avoids this with curl's DNS cache; this is the same idea.
//!
//! It uses ureq's `unversioned` resolver API, which may change in a minor ureq release.
//! If it does, delete this file and the `with_parts` call: the agent works without it,
//! only with more lookups.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Lookups made by every `CachingResolver` of the process.
static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

/// Host names resolved so far.
pub fn lookups() -> usize {
    LOOKUPS.load(Ordering::Relaxed)
}

/// Remembers the addresses of every host it resolved.
#[derive(Debug, Default)]
pub struct CachingResolver {
    inner: DefaultResolver,
    cache: Mutex<HashMap<String, ResolvedSocketAddrs>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = uri.authority().map(ToString::to_string).unwrap_or_default();
        // Holding the lock through the first lookup makes parallel requests wait for it
        // instead of each sending its own.
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(addresses) = cache.get(&key) {
            return Ok(addresses.clone());
        }
        LOOKUPS.fetch_add(1, Ordering::Relaxed);
        let addresses = self.inner.resolve(uri, config, timeout)?;
        cache.insert(key, addresses.clone());
        Ok(addresses)
    }
}
