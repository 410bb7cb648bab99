//! How one container behaves over time, as a pure function of the time since its pod was
//! admitted on its node: creating, pulling (and failing to), running, ready, exiting, backing
//! off and restarting.

use std::time::Duration;

/// How a run of the container ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    /// Exit code.
    pub code: i32,
    /// Termination reason (`Completed`, `Error`, `OOMKilled`).
    pub reason: &'static str,
}

impl Exit {
    /// A successful exit.
    pub const COMPLETED: Exit = Exit {
        code: 0,
        reason: "Completed",
    };
    /// An application error.
    pub const ERROR: Exit = Exit {
        code: 1,
        reason: "Error",
    };
    /// Killed for exceeding the memory limit.
    pub const OOM_KILLED: Exit = Exit {
        code: 137,
        reason: "OOMKilled",
    };
}

/// The pod's `restartPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Restart whatever the exit code.
    Always,
    /// Restart after a failure only.
    OnFailure,
    /// Never restart.
    Never,
}

impl Restart {
    /// Reads `spec.restartPolicy` (Always when absent or unknown).
    pub fn parse(text: Option<&str>) -> Restart {
        match text {
            Some("Never") => Restart::Never,
            Some("OnFailure") => Restart::OnFailure,
            _ => Restart::Always,
        }
    }

    fn restarts_after(self, exit: Exit) -> bool {
        match self {
            Restart::Always => true,
            Restart::OnFailure => exit.code != 0,
            Restart::Never => false,
        }
    }
}

/// Everything that decides a container's life, with delays already scaled to wall-clock time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// From admission to the first start (or first failed pull).
    pub start: Duration,
    /// Every pull fails.
    pub pull_fails: bool,
    /// From each start to ready; `None` never becomes ready.
    pub ready_after: Option<Duration>,
    /// How long each run lasts and how it ends; `None` runs forever.
    pub run: Option<(Duration, Exit)>,
    /// The restart policy.
    pub restart: Restart,
    /// The first back-off after a repeated failure.
    pub backoff_initial: Duration,
    /// The longest back-off.
    pub backoff_limit: Duration,
}

/// One finished run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// When it started (since admission).
    pub started: Duration,
    /// When it ended (since admission).
    pub finished: Duration,
    /// How it ended.
    pub exit: Exit,
}

/// Where a container is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Image pulling and container creation.
    Creating,
    /// The last pull failed (`ErrImagePull`), or the next one waits (`ImagePullBackOff`).
    PullFailed {
        /// True while waiting out the back-off.
        backing_off: bool,
    },
    /// Running since `started`.
    Running {
        /// When this run started (since admission).
        started: Duration,
        /// Whether it passes its readiness check.
        ready: bool,
    },
    /// Crashed and waiting out `backoff` before the next start (`CrashLoopBackOff`).
    BackOff {
        /// The back-off being waited out.
        backoff: Duration,
    },
    /// Finished for good.
    Terminated(Run),
}

/// A container at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Where it is.
    pub state: State,
    /// The run before the current state, if any.
    pub last: Option<Run>,
    /// How many times it was restarted.
    pub restarts: u32,
    /// When (since admission) the state changes next, if ever.
    pub next_change: Option<Duration>,
}

const MAX_STEPS: u32 = 100_000;

impl Script {
    fn backoff(&self, failures: u32) -> Duration {
        let doubled = self
            .backoff_initial
            .checked_mul(1u32.checked_shl(failures.min(30)).unwrap_or(u32::MAX))
            .unwrap_or(self.backoff_limit);
        doubled.min(self.backoff_limit)
    }

    /// The container `elapsed` after admission.
    pub fn at(&self, elapsed: Duration) -> Snapshot {
        let snapshot = |state, last, restarts, next_change| Snapshot {
            state,
            last,
            restarts,
            next_change,
        };
        if elapsed < self.start {
            return snapshot(State::Creating, None, 0, Some(self.start));
        }
        if self.pull_fails {
            return self.pulling_at(elapsed);
        }
        let mut started = self.start;
        let mut last = None;
        for restarts in 0..MAX_STEPS {
            let ready_at = self.ready_after.map(|delay| started + delay);
            let Some((length, exit)) = self.run else {
                let ready = ready_at.is_some_and(|at| elapsed >= at);
                let next = ready_at.filter(|at| *at > elapsed);
                return snapshot(State::Running { started, ready }, last, restarts, next);
            };
            let finished = started + length;
            if elapsed < finished {
                let ready = ready_at.is_some_and(|at| elapsed >= at && at < finished);
                let next = match ready_at {
                    Some(at) if at > elapsed && at < finished => at,
                    _ => finished,
                };
                return snapshot(
                    State::Running { started, ready },
                    last,
                    restarts,
                    Some(next),
                );
            }
            let run = Run {
                started,
                finished,
                exit,
            };
            if !self.restart.restarts_after(exit) {
                return snapshot(State::Terminated(run), last, restarts, None);
            }
            let backoff = if restarts == 0 {
                Duration::ZERO
            } else {
                self.backoff(restarts - 1)
            };
            let restart_at = finished + backoff;
            if elapsed < restart_at {
                return snapshot(
                    State::BackOff { backoff },
                    Some(run),
                    restarts,
                    Some(restart_at),
                );
            }
            last = Some(run);
            started = restart_at;
        }
        snapshot(
            State::BackOff {
                backoff: self.backoff_limit,
            },
            last,
            MAX_STEPS,
            None,
        )
    }

    fn pulling_at(&self, elapsed: Duration) -> Snapshot {
        let mut attempt_at = self.start;
        for attempt in 0..MAX_STEPS {
            let backoff = self.backoff(attempt);
            let next_attempt = attempt_at + backoff;
            if elapsed < next_attempt {
                let error_until = attempt_at + backoff / 2;
                let backing_off = elapsed >= error_until;
                let next = if backing_off {
                    next_attempt
                } else {
                    error_until
                };
                return Snapshot {
                    state: State::PullFailed { backing_off },
                    last: None,
                    restarts: 0,
                    next_change: Some(next),
                };
            }
            attempt_at = next_attempt;
        }
        Snapshot {
            state: State::PullFailed { backing_off: true },
            last: None,
            restarts: 0,
            next_change: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: u64) -> Duration {
        Duration::from_millis(value)
    }

    fn healthy() -> Script {
        Script {
            start: ms(300),
            pull_fails: false,
            ready_after: Some(ms(300)),
            run: None,
            restart: Restart::Always,
            backoff_initial: ms(10_000),
            backoff_limit: ms(300_000),
        }
    }

    #[test]
    fn a_healthy_container_is_created_then_runs_then_becomes_ready() {
        let script = healthy();
        assert_eq!(script.at(ms(100)).state, State::Creating);
        assert_eq!(script.at(ms(100)).next_change, Some(ms(300)));
        let running = script.at(ms(400));
        assert_eq!(
            running.state,
            State::Running {
                started: ms(300),
                ready: false
            }
        );
        assert_eq!(running.next_change, Some(ms(600)));
        let ready = script.at(ms(60_000));
        assert_eq!(
            ready.state,
            State::Running {
                started: ms(300),
                ready: true
            }
        );
        assert_eq!(ready.next_change, None);
    }

    #[test]
    fn a_crashing_container_restarts_at_once_then_backs_off_doubling() {
        let script = Script {
            ready_after: None,
            run: Some((ms(200), Exit::ERROR)),
            ..healthy()
        };
        // Run 0: 300..500, restarted at once; run 1: 500..700; back-off 10 s; run 2 at 10.7 s.
        let second_run = script.at(ms(600));
        assert_eq!(second_run.restarts, 1);
        assert!(matches!(
            second_run.state,
            State::Running { ready: false, .. }
        ));
        assert_eq!(second_run.last.map(|run| run.exit), Some(Exit::ERROR));
        let backing_off = script.at(ms(5_000));
        assert_eq!(
            backing_off.state,
            State::BackOff {
                backoff: ms(10_000)
            }
        );
        assert_eq!(backing_off.restarts, 1);
        assert_eq!(backing_off.next_change, Some(ms(10_700)));
        let later = script.at(ms(10_800));
        assert_eq!(later.restarts, 2);
        // Run 2 ends at 10.9 s; the next back-off is 20 s.
        assert_eq!(
            script.at(ms(11_000)).state,
            State::BackOff {
                backoff: ms(20_000)
            }
        );
    }

    #[test]
    fn a_container_that_does_not_restart_stays_terminated() {
        let script = Script {
            run: Some((ms(1_000), Exit::COMPLETED)),
            restart: Restart::OnFailure,
            ..healthy()
        };
        let done = script.at(ms(5_000));
        assert_eq!(
            done.state,
            State::Terminated(Run {
                started: ms(300),
                finished: ms(1_300),
                exit: Exit::COMPLETED
            })
        );
        assert_eq!(done.next_change, None);
    }

    #[test]
    fn a_failing_pull_alternates_between_error_and_back_off() {
        let script = Script {
            pull_fails: true,
            ..healthy()
        };
        assert_eq!(
            script.at(ms(400)).state,
            State::PullFailed { backing_off: false }
        );
        assert_eq!(
            script.at(ms(6_000)).state,
            State::PullFailed { backing_off: true }
        );
        // Second attempt at 10.3 s, error shown for half of the 20 s back-off.
        assert_eq!(
            script.at(ms(10_400)).state,
            State::PullFailed { backing_off: false }
        );
    }

    #[test]
    fn back_off_is_capped_at_its_limit() {
        let script = healthy();
        assert_eq!(script.backoff(0), ms(10_000));
        assert_eq!(script.backoff(4), ms(160_000));
        assert_eq!(script.backoff(5), ms(300_000));
        assert_eq!(script.backoff(60), ms(300_000));
    }
}
