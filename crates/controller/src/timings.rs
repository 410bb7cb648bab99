//! Per-phase timings of a sync for its history entry: marks taken from the engine's progress
//! events as they come, turned into named durations by the pure [`timings`].

use std::time::{Duration, Instant};

use ferry_engine::SyncEvent;
use ferry_types::PhaseTiming;

/// A moment in a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// Every object was dry-run.
    Validated,
    /// A wave started (`Sync/0`).
    Wave(String),
    /// An object of the current wave was applied (or pruned, run, skipped).
    Object,
}

impl Mark {
    /// The mark of a progress event, if it is one.
    pub fn of(event: &SyncEvent) -> Option<Mark> {
        match event {
            SyncEvent::Validated { .. } => Some(Mark::Validated),
            SyncEvent::Wave { phase, wave, .. } => Some(Mark::Wave(format!("{phase:?}/{wave}"))),
            SyncEvent::Object(_) => Some(Mark::Object),
            _ => None,
        }
    }
}

/// The named durations of a sync that started at `start` and ended at `end`, from its marks:
/// `validate` (until every object was dry-run), then per wave `apply <phase/wave>` (until its
/// last object was sent) and `wait <phase/wave>` (health, until the next wave or the end).
pub fn timings(start: Instant, marks: &[(Instant, Mark)], end: Instant) -> Vec<PhaseTiming> {
    let mut result = Vec::new();
    // The wave under way: its name, when it started, when its last object was sent.
    let mut wave: Option<(String, Instant, Instant)> = None;
    let close =
        |wave: Option<(String, Instant, Instant)>, at: Instant, result: &mut Vec<PhaseTiming>| {
            if let Some((name, started, last)) = wave {
                result.push(timing(
                    format!("apply {name}"),
                    last.saturating_duration_since(started),
                ));
                result.push(timing(
                    format!("wait {name}"),
                    at.saturating_duration_since(last),
                ));
            }
        };
    for (at, mark) in marks {
        match mark {
            Mark::Validated => {
                result.push(timing(
                    "validate".into(),
                    at.saturating_duration_since(start),
                ));
            }
            Mark::Wave(name) => {
                close(wave.take(), *at, &mut result);
                wave = Some((name.clone(), *at, *at));
            }
            Mark::Object => {
                if let Some((_, _, last)) = &mut wave {
                    *last = *at;
                }
            }
        }
    }
    close(wave.take(), end, &mut result);
    result
}

/// A named duration in milliseconds.
pub fn timing(name: String, duration: Duration) -> PhaseTiming {
    PhaseTiming {
        name,
        milliseconds: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_is_split_into_validate_then_apply_and_wait_per_wave() {
        let start = Instant::now();
        let at = |millis: u64| start + Duration::from_millis(millis);
        let marks = vec![
            (at(100), Mark::Validated),
            (at(110), Mark::Wave("Sync/0".into())),
            (at(130), Mark::Object),
            (at(150), Mark::Object),
            (at(400), Mark::Wave("Sync/1".into())),
            (at(420), Mark::Object),
        ];
        let names: Vec<(String, u64)> = timings(start, &marks, at(1000))
            .into_iter()
            .map(|timing| (timing.name, timing.milliseconds))
            .collect();
        assert_eq!(
            names,
            [
                ("validate".to_string(), 100),
                ("apply Sync/0".to_string(), 40),
                ("wait Sync/0".to_string(), 250),
                ("apply Sync/1".to_string(), 20),
                ("wait Sync/1".to_string(), 580),
            ]
        );
    }
}
