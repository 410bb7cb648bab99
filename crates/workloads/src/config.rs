//! How the simulation behaves: timings (scaled by one time factor), the simulated nodes, and
//! whether Events are recorded.

use std::path::Path;
use std::time::Duration;

/// The knobs of the simulated controllers and kubelets.
#[derive(Clone, Debug)]
pub struct SimulationConfig {
    /// Multiplies every simulated delay (container start, readiness, crash back-off, faults'
    /// durations, probe delays). `1.0` is real time; tests use a small factor. Deadlines written
    /// in objects (`progressDeadlineSeconds`, `activeDeadlineSeconds`) are never scaled.
    pub time_factor: f64,
    /// From a pod being admitted on its node to its containers running (image pull and start).
    pub container_start: Duration,
    /// From a container starting to it being ready (unless its readiness probe asks for longer).
    pub readiness_delay: Duration,
    /// How long a container of a pod that does not restart (Jobs) runs before it exits 0.
    pub job_run: Duration,
    /// How long a crash-looping container runs before it dies.
    pub crash_run: Duration,
    /// The first crash or image-pull back-off; it doubles up to `backoff_limit`.
    pub backoff_initial: Duration,
    /// The longest crash or image-pull back-off.
    pub backoff_limit: Duration,
    /// How many simulated Nodes the cluster has.
    pub nodes: usize,
    /// Whether Events (Scheduled, Pulled, Started, ScalingReplicaSet, ...) are written.
    pub record_events: bool,
    /// The PEM CA bundle published as `kube-root-ca.crt` in every namespace.
    pub root_ca: String,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            time_factor: 1.0,
            container_start: Duration::from_millis(300),
            readiness_delay: Duration::from_millis(300),
            job_run: Duration::from_secs(1),
            crash_run: Duration::from_millis(200),
            backoff_initial: Duration::from_secs(10),
            backoff_limit: Duration::from_secs(300),
            nodes: 3,
            record_events: true,
            root_ca: String::new(),
        }
    }
}

impl SimulationConfig {
    /// The default configuration with every delay multiplied by `time_factor`.
    pub fn with_time_factor(time_factor: f64) -> Self {
        SimulationConfig {
            time_factor,
            ..SimulationConfig::default()
        }
    }

    /// Reads the cluster's CA from `<data_dir>/ca.crt` (written by `ferry_cluster::start`) into
    /// [`SimulationConfig::root_ca`]; a missing file leaves it empty.
    pub fn with_root_ca_from(mut self, data_dir: &Path) -> Self {
        if let Ok(pem) = std::fs::read_to_string(data_dir.join("ca.crt")) {
            self.root_ca = pem;
        }
        self
    }

    /// A simulated duration in wall-clock time.
    pub fn scaled(&self, duration: Duration) -> Duration {
        let factor = if self.time_factor.is_finite() && self.time_factor >= 0.0 {
            self.time_factor
        } else {
            1.0
        };
        duration.mul_f64(factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_scale_with_the_time_factor() {
        let config = SimulationConfig::with_time_factor(0.1);
        assert_eq!(
            config.scaled(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        let broken = SimulationConfig::with_time_factor(f64::NAN);
        assert_eq!(
            broken.scaled(Duration::from_secs(2)),
            Duration::from_secs(2)
        );
    }
}
