//! Exit statuses of the `ferry` binary.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked was done.
    Success,
    /// The command ran and found problems, or could not run; details are on stderr.
    Failure,
    /// The command could not run at all (exit 2, as `diff` and `kubectl diff` report trouble).
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => Self::SUCCESS,
            ExitStatus::Failure => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}
