//! The scaling steps of each strategy, as the real controller takes them: rolling update (scale
//! the new ReplicaSet up within maxSurge, then old ones down within maxUnavailable, unhealthy
//! replicas first), Recreate (old to zero, wait for their pods, then new), and proportional
//! scaling when the replica count changes mid-rollout.

use serde_json::Value;

use super::sets::Sets;
use crate::object;

/// maxSurge and maxUnavailable resolved against the desired replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fenceposts {
    /// Pods allowed above the desired count.
    pub max_surge: i64,
    /// Pods allowed to be unavailable.
    pub max_unavailable: i64,
}

/// `ResolveFenceposts` for a RollingUpdate Deployment; zero and zero for Recreate.
pub fn fenceposts(deployment: &Value) -> Fenceposts {
    let replicas = object::integer(deployment, "/spec/replicas").unwrap_or(1);
    if object::text(deployment, "/spec/strategy/type") == Some("Recreate") {
        return Fenceposts {
            max_surge: 0,
            max_unavailable: 0,
        };
    }
    let rolling = deployment.pointer("/spec/strategy/rollingUpdate");
    let surge = object::int_or_percent(rolling.and_then(|r| r.get("maxSurge")), replicas, true, 0);
    let mut unavailable = object::int_or_percent(
        rolling.and_then(|r| r.get("maxUnavailable")),
        replicas,
        false,
        0,
    );
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    if replicas == 0 {
        unavailable = 0;
    }
    Fenceposts {
        max_surge: surge,
        max_unavailable: unavailable.min(replicas),
    }
}

/// `NewRSNewReplicas` for a rolling update: grow within the surge, never past the desired count.
pub fn new_replicas_rolling(sets: &Sets<'_>, current_new: i64, fenceposts: Fenceposts) -> i64 {
    let desired = sets.desired();
    let total = sets.desired_sum(&sets.all());
    let max_total = desired + fenceposts.max_surge;
    if total >= max_total {
        return current_new;
    }
    current_new + (max_total - total).min(desired - current_new)
}

/// `reconcileNewReplicaSet`: true when it scaled.
pub fn reconcile_new(sets: &mut Sets<'_>, fenceposts: Fenceposts) -> bool {
    let Some(new) = sets.new_index() else {
        return false;
    };
    let desired = sets.desired();
    let current = sets.spec_replicas(new);
    if current == desired {
        return false;
    }
    if current > desired {
        return sets.scale(new, desired);
    }
    let target = new_replicas_rolling(sets, current, fenceposts);
    sets.scale(new, target)
}

/// `reconcileOldReplicaSets`: true when it scaled anything down.
pub fn reconcile_old(sets: &mut Sets<'_>, fenceposts: Fenceposts) -> bool {
    let old: Vec<usize> = sets
        .old()
        .into_iter()
        .filter(|index| sets.spec_replicas(*index) > 0)
        .collect();
    if sets.desired_sum(&old) == 0 {
        return false;
    }
    let all_pods = sets.desired_sum(&sets.all());
    let min_available = sets.desired() - fenceposts.max_unavailable;
    let new_unavailable = sets.new_index().map_or(0, |new| {
        sets.spec_replicas(new) - sets.status_count(new, "availableReplicas")
    });
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let mut cleaned = 0;
    for index in &old {
        if cleaned >= max_scaled_down {
            break;
        }
        let replicas = sets.spec_replicas(*index);
        let available = sets.status_count(*index, "availableReplicas");
        if replicas == 0 || replicas == available {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(replicas - available);
        sets.scale(*index, replicas - down);
        cleaned += down;
    }
    let available = sets.status_sum(&sets.all(), "availableReplicas");
    let mut scaled = 0;
    if available > min_available {
        let to_scale = available - min_available;
        for index in &old {
            if scaled >= to_scale {
                break;
            }
            let replicas = sets.spec_replicas(*index);
            if replicas == 0 {
                continue;
            }
            let down = replicas.min(to_scale - scaled);
            sets.scale(*index, replicas - down);
            scaled += down;
        }
    }
    cleaned + scaled > 0
}

/// Recreate, step one: every old ReplicaSet to zero. True when it scaled.
pub fn scale_down_old_for_recreate(sets: &mut Sets<'_>) -> bool {
    let mut scaled = false;
    for index in sets.old() {
        if sets.spec_replicas(index) > 0 {
            scaled |= sets.scale(index, 0);
        }
    }
    scaled
}

/// `scale`: the replica count changed (or the Deployment is paused) — resize the active
/// ReplicaSets, proportionally when a rollout is under way.
pub fn scale(sets: &mut Sets<'_>, fenceposts: Fenceposts) {
    let desired = sets.desired();
    let active: Vec<usize> = sets
        .all()
        .into_iter()
        .filter(|index| sets.spec_replicas(*index) > 0)
        .collect();
    let target = match active.as_slice() {
        [] => sets.new_index().or_else(|| sets.all().last().copied()),
        [only] => Some(*only),
        _ => None,
    };
    if let Some(index) = target {
        sets.scale(index, desired);
        return;
    }
    if let Some(new) = sets.new_index()
        && sets.spec_replicas(new) == desired
        && sets.status_count(new, "availableReplicas") == desired
    {
        for index in sets.old() {
            if sets.spec_replicas(index) > 0 {
                sets.scale(index, 0);
            }
        }
        return;
    }
    let current = sets.desired_sum(&active);
    let allowed = if desired > 0 {
        desired + fenceposts.max_surge
    } else {
        0
    };
    let to_add = allowed - current;
    if to_add == 0 || current == 0 {
        return;
    }
    // Largest first; on ties newer first when growing and older first when shrinking.
    let mut order = active.clone();
    order.sort_by(|a, b| {
        sets.spec_replicas(*b)
            .cmp(&sets.spec_replicas(*a))
            .then(if to_add > 0 { b.cmp(a) } else { a.cmp(b) })
    });
    let mut added = 0;
    let mut targets: Vec<(usize, i64)> = Vec::new();
    for index in &order {
        let size = sets.spec_replicas(*index);
        let share = size * to_add / current;
        targets.push((*index, size + share));
        added += share;
    }
    if let Some((_, first)) = targets.first_mut() {
        *first += to_add - added;
    }
    for (index, size) in targets {
        sets.scale(index, size.max(0));
    }
}
