//! A Prometheus histogram: fixed upper bounds, cumulative buckets at render time.

use crate::exposition::Exposition;

/// Bucket bounds (seconds) for whole syncs: waves wait for health, so minutes are normal.
pub const SYNC_BUCKETS: &[f64] = &[0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0];
/// Bucket bounds (seconds) for one reconcile (fetch, render, diff, maybe a sync).
pub const RECONCILE_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// Bucket bounds (seconds) for one Git fetch and render.
pub const GIT_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Observations counted into buckets with fixed upper bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    bounds: &'static [f64],
    /// Per bucket, not cumulative; the last one is `+Inf`.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    /// An empty histogram with these ascending upper bounds (`+Inf` is implied).
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }

    /// Counts one observation.
    pub fn observe(&mut self, value: f64) {
        let value = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let index = self
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[index] += 1;
        self.sum += value;
        self.count += 1;
    }

    /// How many observations.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Their sum.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Writes `_bucket` (cumulative, with `le`), `_sum` and `_count` samples.
    pub(crate) fn write(&self, exposition: &mut Exposition, name: &str, labels: &[(&str, &str)]) {
        let bucket = format!("{name}_bucket");
        let mut cumulative = 0;
        for (index, count) in self.counts.iter().enumerate() {
            cumulative += count;
            let le = match self.bounds.get(index) {
                Some(bound) => crate::exposition::format_value(*bound),
                None => "+Inf".to_string(),
            };
            let mut with_le: Vec<(&str, &str)> = labels.to_vec();
            with_le.push(("le", &le));
            exposition.sample(&bucket, &with_le, cumulative as f64);
        }
        exposition.sample(&format!("{name}_sum"), labels, self.sum);
        exposition.sample(&format!("{name}_count"), labels, self.count as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_with_inf() {
        let mut histogram = Histogram::new(&[1.0, 5.0]);
        histogram.observe(0.5);
        histogram.observe(1.0);
        histogram.observe(3.0);
        histogram.observe(10.0);
        let mut exposition = Exposition::default();
        histogram.write(&mut exposition, "d", &[("app", "web")]);
        assert_eq!(
            exposition.finish(),
            "d_bucket{app=\"web\",le=\"1\"} 2\nd_bucket{app=\"web\",le=\"5\"} 3\n\
             d_bucket{app=\"web\",le=\"+Inf\"} 4\nd_sum{app=\"web\"} 14.5\nd_count{app=\"web\"} 4\n"
        );
    }

    #[test]
    fn negative_and_nan_observations_count_as_zero() {
        let mut histogram = Histogram::new(&[1.0]);
        histogram.observe(-3.0);
        histogram.observe(f64::NAN);
        assert_eq!(histogram.count(), 2);
        assert_eq!(histogram.sum(), 0.0);
    }
}
