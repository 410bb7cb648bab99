//! The active faults and the pure decisions made from them: for each request, how long to wait
//! and whether to answer with an error; for each watch, when to close it; which nodes are lost.
//! Time comes in as an argument and chance from a seeded generator, so tests decide both.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::spec::FaultSpec;
use crate::object::time::format_unix;

/// One active fault.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// `fault-1`, `fault-2`, ... in the order they were added.
    pub id: String,
    /// What it does.
    pub spec: FaultSpec,
    /// When it was added.
    pub added: SystemTime,
    /// When it ends by itself.
    pub expires: Option<SystemTime>,
    /// For a compaction: the resourceVersion the history was last compacted at, and when.
    pub compacted: Option<(u64, SystemTime)>,
}

fn wire_time(time: SystemTime) -> String {
    format_unix(
        time.duration_since(UNIX_EPOCH)
            .map(|duration| duration.as_secs())
            .unwrap_or(0),
    )
}

impl Fault {
    /// The fault as the admin endpoint shows it.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        self.spec.write(&mut map);
        map.insert("addedAt".into(), json!(wire_time(self.added)));
        if let Some(expires) = self.expires {
            map.insert("expiresAt".into(), json!(wire_time(expires)));
        }
        if let Some((revision, _)) = self.compacted {
            map.insert("compactedRevision".into(), json!(revision.to_string()));
        }
        Value::Object(map)
    }

    fn active(&self, now: SystemTime) -> bool {
        self.expires.is_none_or(|expires| now < expires)
    }
}

/// What a request is, as far as faults care.
#[derive(Clone, Copy, Debug)]
pub struct RequestInfo<'a> {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`.
    pub verb: &'a str,
    /// The plural resource; `None` for discovery and other non-resource paths.
    pub resource: Option<&'a str>,
    /// The resource's group (`""` for core).
    pub group: &'a str,
}

/// An error answered instead of serving the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectedError {
    /// 429, 500 or 503.
    pub code: u16,
    /// The `Retry-After` of a 429.
    pub retry_after: Duration,
    /// The fault that decided it.
    pub fault: String,
}

/// What the faults decided for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Wait this long before serving (or failing) the request.
    pub delay: Duration,
    /// Answer with this error instead of serving the request.
    pub error: Option<InjectedError>,
}

/// A node made unreachable by a `node-loss` fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostNode {
    /// The node's name.
    pub node: String,
    /// When it was lost.
    pub since: SystemTime,
    /// When its pods are evicted, after `since`; `None` follows the pods' tolerations.
    pub evict_after: Option<Duration>,
    /// When the fault ends by itself.
    pub until: Option<SystemTime>,
}

/// A small xorshift64* generator: enough to draw fractions, seedable for tests.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    fn next_fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The active faults, in the order they were added.
#[derive(Clone, Debug)]
pub struct FaultSet {
    faults: Vec<Fault>,
    next_id: u64,
    rng: Rng,
}

impl FaultSet {
    /// No faults; error fractions are drawn from a generator seeded with `seed`.
    pub fn new(seed: u64) -> FaultSet {
        FaultSet {
            faults: Vec::new(),
            next_id: 1,
            rng: Rng::new(seed),
        }
    }

    /// Adds a fault lasting `duration` (until cleared when `None`) and returns it.
    pub fn add(&mut self, spec: FaultSpec, duration: Option<Duration>, now: SystemTime) -> Fault {
        let fault = Fault {
            id: format!("fault-{}", self.next_id),
            spec,
            added: now,
            expires: duration.and_then(|duration| now.checked_add(duration)),
            compacted: None,
        };
        self.next_id += 1;
        self.faults.push(fault.clone());
        fault
    }

    /// Removes one fault.
    pub fn remove(&mut self, id: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|fault| fault.id == id)?;
        Some(self.faults.remove(index))
    }

    /// Removes every fault and returns them.
    pub fn clear(&mut self) -> Vec<Fault> {
        std::mem::take(&mut self.faults)
    }

    /// Forgets the faults that ended by `now`; true when there were any.
    pub fn expire(&mut self, now: SystemTime) -> bool {
        let before = self.faults.len();
        self.faults.retain(|fault| fault.active(now));
        self.faults.len() != before
    }

    /// The faults active at `now`.
    pub fn active(&self, now: SystemTime) -> Vec<Fault> {
        self.faults
            .iter()
            .filter(|fault| fault.active(now))
            .cloned()
            .collect()
    }

    /// Whether no fault is active at `now` (the common case, decided without drawing).
    pub fn is_quiet(&self, now: SystemTime) -> bool {
        !self.faults.iter().any(|fault| fault.active(now))
    }

    /// The delay and error for one request: latencies add up; the error faults draw in the
    /// order they were added and the first that hits answers.
    pub fn decide(&mut self, request: &RequestInfo<'_>, now: SystemTime) -> Decision {
        let mut decision = Decision::default();
        for index in 0..self.faults.len() {
            let fault = &self.faults[index];
            if !fault.active(now) {
                continue;
            }
            match &fault.spec {
                FaultSpec::Latency { delay, scope }
                    if scope.matches(request.verb, request.resource, request.group) =>
                {
                    decision.delay += *delay;
                }
                FaultSpec::Errors {
                    code,
                    fraction,
                    retry_after,
                    scope,
                } if decision.error.is_none()
                    && scope.matches(request.verb, request.resource, request.group) =>
                {
                    let (code, fraction, retry_after) = (*code, *fraction, *retry_after);
                    let id = fault.id.clone();
                    if self.rng.next_fraction() < fraction {
                        decision.error = Some(InjectedError {
                            code,
                            retry_after,
                            fault: id,
                        });
                    }
                }
                _ => {}
            }
        }
        decision
    }

    /// When a watch opened at `opened` must be closed: the earliest `after` of the active
    /// drop-watches faults, counted from the later of the watch's opening and the fault's adding.
    pub fn watch_deadline(&self, opened: SystemTime, now: SystemTime) -> Option<SystemTime> {
        self.faults
            .iter()
            .filter(|fault| fault.active(now))
            .filter_map(|fault| match &fault.spec {
                FaultSpec::DropWatches { after } => opened
                    .max(fault.added)
                    .checked_add(*after)
                    .filter(|deadline| fault.expires.is_none_or(|expires| *deadline < expires)),
                _ => None,
            })
            .min()
    }

    /// The nodes lost at `now`.
    pub fn lost_nodes(&self, now: SystemTime) -> Vec<LostNode> {
        self.faults
            .iter()
            .filter(|fault| fault.active(now))
            .filter_map(|fault| match &fault.spec {
                FaultSpec::NodeLoss { node, evict_after } => Some(LostNode {
                    node: node.clone(),
                    since: fault.added,
                    evict_after: *evict_after,
                    until: fault.expires,
                }),
                _ => None,
            })
            .collect()
    }

    /// The compaction faults that are due to compact (never compacted, or `every` passed).
    pub fn due_compactions(&self, now: SystemTime) -> Vec<String> {
        self.faults
            .iter()
            .filter(|fault| fault.active(now))
            .filter(|fault| match (&fault.spec, fault.compacted) {
                (FaultSpec::Compaction { .. }, None) => true,
                (FaultSpec::Compaction { every: Some(every) }, Some((_, at))) => {
                    at.checked_add(*every).is_some_and(|due| due <= now)
                }
                _ => false,
            })
            .map(|fault| fault.id.clone())
            .collect()
    }

    /// Records that a compaction fault compacted the history at `revision`.
    pub fn record_compaction(&mut self, id: &str, revision: u64, now: SystemTime) {
        if let Some(fault) = self.faults.iter_mut().find(|fault| fault.id == id) {
            fault.compacted = Some((revision, now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::spec::Scope;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + seconds)
    }

    fn list_pods() -> RequestInfo<'static> {
        RequestInfo {
            verb: "list",
            resource: Some("pods"),
            group: "",
        }
    }

    fn errors(code: u16, fraction: f64) -> FaultSpec {
        FaultSpec::Errors {
            code,
            fraction,
            retry_after: Duration::from_secs(2),
            scope: Scope::default(),
        }
    }

    #[test]
    fn an_error_fraction_answers_about_that_share_of_requests() {
        let mut set = FaultSet::new(7);
        set.add(errors(503, 0.3), None, at(0));
        let failed = (0..10_000)
            .filter(|_| set.decide(&list_pods(), at(1)).error.is_some())
            .count();
        assert!((2_700..3_300).contains(&failed), "{failed} of 10000 failed");
    }

    #[test]
    fn the_same_seed_draws_the_same_failures() {
        let draw = |seed| {
            let mut set = FaultSet::new(seed);
            set.add(errors(500, 0.5), None, at(0));
            (0..64)
                .map(|_| set.decide(&list_pods(), at(1)).error.is_some())
                .collect::<Vec<bool>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
    }

    #[test]
    fn latencies_add_up_only_for_requests_in_scope_and_end_with_their_duration() {
        let mut set = FaultSet::new(1);
        let only_lists = Scope {
            verbs: vec!["list".into()],
            resources: vec![],
        };
        set.add(
            FaultSpec::Latency {
                delay: Duration::from_millis(200),
                scope: only_lists,
            },
            Some(Duration::from_secs(10)),
            at(0),
        );
        set.add(
            FaultSpec::Latency {
                delay: Duration::from_millis(50),
                scope: Scope::default(),
            },
            None,
            at(0),
        );
        assert_eq!(
            set.decide(&list_pods(), at(1)).delay,
            Duration::from_millis(250)
        );
        let get = RequestInfo {
            verb: "get",
            ..list_pods()
        };
        assert_eq!(set.decide(&get, at(1)).delay, Duration::from_millis(50));
        assert_eq!(
            set.decide(&list_pods(), at(10)).delay,
            Duration::from_millis(50)
        );
        assert!(set.expire(at(10)));
        assert_eq!(set.active(at(10)).len(), 1);
    }

    #[test]
    fn a_fraction_of_one_always_fails_with_the_faults_code_and_retry_after() {
        let mut set = FaultSet::new(3);
        let fault = set.add(errors(429, 1.0), None, at(0));
        let decision = set.decide(&list_pods(), at(1));
        assert_eq!(
            decision.error,
            Some(InjectedError {
                code: 429,
                retry_after: Duration::from_secs(2),
                fault: fault.id.clone(),
            })
        );
        assert_eq!(set.remove(&fault.id), Some(fault));
        assert_eq!(set.decide(&list_pods(), at(1)), Decision::default());
    }

    #[test]
    fn watches_are_cut_after_the_delay_counted_from_the_later_of_opening_and_adding() {
        let mut set = FaultSet::new(1);
        assert_eq!(set.watch_deadline(at(0), at(0)), None);
        set.add(
            FaultSpec::DropWatches {
                after: Duration::from_secs(5),
            },
            None,
            at(10),
        );
        assert_eq!(set.watch_deadline(at(0), at(10)), Some(at(15)));
        assert_eq!(set.watch_deadline(at(12), at(12)), Some(at(17)));
        set.clear();
        assert_eq!(set.watch_deadline(at(12), at(12)), None);
    }

    #[test]
    fn a_compaction_is_due_once_or_again_after_its_interval() {
        let mut set = FaultSet::new(1);
        let once = set.add(FaultSpec::Compaction { every: None }, None, at(0));
        let periodic = set.add(
            FaultSpec::Compaction {
                every: Some(Duration::from_secs(30)),
            },
            None,
            at(0),
        );
        assert_eq!(
            set.due_compactions(at(0)),
            vec![once.id.clone(), periodic.id.clone()]
        );
        set.record_compaction(&once.id, 10, at(0));
        set.record_compaction(&periodic.id, 10, at(0));
        assert!(set.due_compactions(at(29)).is_empty());
        assert_eq!(set.due_compactions(at(30)), vec![periodic.id.clone()]);
        assert_eq!(set.active(at(1))[0].to_json()["compactedRevision"], "10");
    }

    #[test]
    fn a_lost_node_is_reported_until_its_fault_ends() {
        let mut set = FaultSet::new(1);
        set.add(
            FaultSpec::NodeLoss {
                node: "ferry-node-2".into(),
                evict_after: Some(Duration::from_secs(3)),
            },
            Some(Duration::from_secs(60)),
            at(0),
        );
        let lost = set.lost_nodes(at(1));
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].node, "ferry-node-2");
        assert_eq!(lost[0].until, Some(at(60)));
        assert!(set.lost_nodes(at(60)).is_empty());
    }
}
