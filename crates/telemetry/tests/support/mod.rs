//! What the telemetry tests share: a local cluster with its simulated workloads and a Git
//! repository (`cluster`), a strict parser of Prometheus text (`prometheus`), and an HTTP
//! receiver on 127.0.0.1 with scripted answers (`receiver`).

#![allow(dead_code)]

pub mod cluster;
pub mod prometheus;
pub mod receiver;
