//! Runs the checks of many URLs on a pool of threads, never more than the global limit
//! at once and never more than the per-host limit on one host. A 429 pauses its whole
//! host for as long as `Retry-After` asks; other failures retry the one URL after a
//! growing backoff. A worker never sleeps holding a slot: it picks whatever is ready.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::request::{Attempt, Client, host_of};
use super::{HttpOptions, Verdict};

struct Job {
    url: String,
    /// Attempts made so far.
    tries: u32,
    not_before: Instant,
}

struct Host {
    jobs: VecDeque<Job>,
    in_flight: usize,
    paused_until: Instant,
}

struct Queue {
    hosts: Vec<Host>,
    /// Where the next search for work starts, so hosts take turns.
    next_host: usize,
    pending: usize,
    in_flight: usize,
    verdicts: HashMap<String, Verdict>,
}

/// Checks every URL of `urls` (distinct) and returns each one's verdict.
pub fn run(urls: Vec<String>, options: &HttpOptions) -> HashMap<String, Verdict> {
    if urls.is_empty() {
        return HashMap::new();
    }
    let start = Instant::now();
    let mut by_host: HashMap<String, usize> = HashMap::new();
    let mut hosts: Vec<Host> = Vec::new();
    let workers = options.concurrency.clamp(1, urls.len());
    let pending = urls.len();
    for url in urls {
        let index = *by_host.entry(host_of(&url)).or_insert_with(|| {
            hosts.push(Host { jobs: VecDeque::new(), in_flight: 0, paused_until: start });
            hosts.len() - 1
        });
        hosts[index].jobs.push_back(Job { url, tries: 0, not_before: start });
    }
    let queue =
        Mutex::new(Queue { hosts, next_host: 0, pending, in_flight: 0, verdicts: HashMap::new() });
    let wake = Condvar::new();
    let client = Client::new(options);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(&queue, &wake, &client, options));
        }
    });
    queue.into_inner().expect("not poisoned").verdicts
}

fn work(queue: &Mutex<Queue>, wake: &Condvar, client: &Client, options: &HttpOptions) {
    let per_host = options.per_host.max(1);
    let mut guard = queue.lock().expect("not poisoned");
    loop {
        if guard.pending == 0 {
            if guard.in_flight == 0 {
                return;
            }
            guard = wake.wait(guard).expect("not poisoned");
            continue;
        }
        let (host, job) = match guard.take(Instant::now(), per_host) {
            Ok(taken) => taken,
            Err(Some(until)) => {
                let wait = until.saturating_duration_since(Instant::now());
                guard = wake.wait_timeout(guard, wait).expect("not poisoned").0;
                continue;
            }
            Err(None) => {
                guard = wake.wait(guard).expect("not poisoned");
                continue;
            }
        };
        drop(guard);
        let attempt = client.attempt(&job.url);
        guard = queue.lock().expect("not poisoned");
        guard.hosts[host].in_flight -= 1;
        guard.in_flight -= 1;
        guard.settle(host, job, attempt, options);
        wake.notify_all();
    }
}

impl Queue {
    /// The next job ready to run and its host, or when to look again (`None`: when a
    /// running job finishes).
    fn take(&mut self, now: Instant, per_host: usize) -> Result<(usize, Job), Option<Instant>> {
        let mut wake_at: Option<Instant> = None;
        let count = self.hosts.len();
        for offset in 0..count {
            let index = (self.next_host + offset) % count;
            let host = &mut self.hosts[index];
            if host.jobs.is_empty() || host.in_flight >= per_host {
                continue;
            }
            let ready_at = host
                .jobs
                .iter()
                .map(|job| job.not_before)
                .min()
                .expect("not empty")
                .max(host.paused_until);
            if ready_at > now {
                wake_at = Some(wake_at.map_or(ready_at, |at| at.min(ready_at)));
                continue;
            }
            let position =
                host.jobs.iter().position(|job| job.not_before <= now).expect("a job is ready");
            let job = host.jobs.remove(position).expect("position is in range");
            host.in_flight += 1;
            self.in_flight += 1;
            self.pending -= 1;
            self.next_host = (index + 1) % count;
            return Ok((index, job));
        }
        Err(wake_at)
    }

    /// Records the verdict of an attempt, or queues the job again.
    fn settle(&mut self, host: usize, mut job: Job, attempt: Attempt, options: &HttpOptions) {
        let now = Instant::now();
        job.tries += 1;
        let retry = job.tries <= options.retries;
        let verdict = match attempt {
            Attempt::Done(verdict) => verdict,
            Attempt::RateLimited(Some(wait)) if wait > options.max_retry_after => {
                Verdict::Unverified(format!(
                    "rate limited (429): Retry-After asks for {}s, more than the {}s allowed",
                    wait.as_secs(),
                    options.max_retry_after.as_secs()
                ))
            }
            Attempt::RateLimited(wait) if retry => {
                let wait = wait.unwrap_or_else(|| backoff(options, job.tries));
                // The whole host asked us to slow down, not just this URL.
                let paused = &mut self.hosts[host].paused_until;
                *paused = (*paused).max(now + wait);
                return self.requeue(host, job, now + wait);
            }
            Attempt::RateLimited(_) => {
                Verdict::Unverified(format!("rate limited (429) after {} attempts", job.tries))
            }
            Attempt::Transient(_) if retry => {
                let at = now + backoff(options, job.tries);
                return self.requeue(host, job, at);
            }
            Attempt::Transient(reason) if job.tries == 1 => Verdict::Unverified(reason),
            Attempt::Transient(reason) => {
                Verdict::Unverified(format!("{reason} ({} attempts)", job.tries))
            }
        };
        self.verdicts.insert(job.url, verdict);
    }

    fn requeue(&mut self, host: usize, mut job: Job, at: Instant) {
        job.not_before = at;
        self.hosts[host].jobs.push_back(job);
        self.pending += 1;
    }
}

/// The pause before attempt `tries + 1`: the base backoff, doubled for each retry so far.
fn backoff(options: &HttpOptions, tries: u32) -> Duration {
    options.backoff.saturating_mul(1 << tries.saturating_sub(1).min(16))
}
